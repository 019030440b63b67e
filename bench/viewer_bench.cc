// Viewer benchmark (issue #7, acceptance 3): a 10-minute 120 Hz recording
// with 40 labels (C3D) is opened, then the whole viewer (3D view and every
// panel) draws frames at 1280x720 while it plays. Baselines from the same
// run: reading the file alone, and a frame that only clears and swaps.
// Run under xvfb-run for Mesa llvmpipe:
//   xvfb-run -a -s "-screen 0 1920x1080x24" ./bin/viewer_bench [minutes=10] [frames=300]
// HL_BENCH_NO_AA=1 turns ImGui's anti-aliased lines and fills off (measured:
// no change in the ImGui paint time under llvmpipe, so the viewer keeps them).
#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/recording.h"
#include "tests/ui/hinge_scene.h"
#include "ui/drill_panel.h"
#include "ui/plots_panel.h"
#include "ui/render3d.h"
#include "ui/scene_panel.h"
#include "ui/screenshot.h"
#include "ui/timeline_panel.h"
#include "ui/viewer_panels.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

// The synthetic hinge take repeated for `minutes`, plus 33 more labels riding
// on the pelvis (not in the marker set: drawn grey), 40 labels in all.
hl::Recording LongRecording(double minutes) {
  const int frames = static_cast<int>(minutes * 60 * hl::test::kFps);
  const hl::Recording one = hl::test::HingeRecording();
  std::vector<std::string> labels = one.points.labels();
  for (int i = 0; labels.size() < 40; ++i) labels.push_back("M" + std::to_string(30 + i));
  hl::Trajectories points(labels, frames, hl::test::kFps);
  const int period = one.points.num_frames();
  for (int f = 0; f < frames; ++f) {
    const int g = f % period;
    for (int l = 0; l < one.points.num_labels(); ++l) points.at(f, l) = one.points.at(g, l);
    const Eigen::Vector3d sacrum = hl::test::PoseAt(g).sacrum;
    for (int l = one.points.num_labels(); l < 40; ++l) {
      const double a = 0.7 * l, b = 0.3 * l;
      hl::Sample& s = points.at(f, l);
      s.position_m = sacrum + 0.3 * Eigen::Vector3d(std::cos(a) * std::cos(b),
                                                    std::sin(a) * std::cos(b), std::sin(b));
      s.residual_px = 0.3f;
      s.n_cameras = 2;
    }
  }
  hl::Recording r;
  r.points = std::move(points);
  r.format = "c3d";
  r.marker_set_yaml = hl::test::HingeMarkerSetYaml();
  return r;
}

int Run(int argc, char** argv) {
  const double minutes = argc > 1 ? std::atof(argv[1]) : 10.0;
  const int num_frames = argc > 2 ? std::atoi(argv[2]) : 300;
  const fs::path dir = fs::temp_directory_path() / "hl_viewer_bench";
  fs::create_directories(dir);
  const fs::path file = dir / "long.c3d";
  {
    const hl::Recording r = LongRecording(minutes);
    hl::WriteRecording(file, r);
    std::printf("recording: %d frames x %d labels at %.0f Hz (%.1f min), %s, %.1f MB\n",
                r.points.num_frames(), r.points.num_labels(), r.points.rate_hz(), minutes,
                file.c_str(), fs::file_size(file) / 1e6);
  }

  // Opening: the best of 3 (the first also warms the page cache, as a user's second open would be).
  double read_s = 1e9, open_s = 1e9;
  for (int k = 0; k < 3; ++k) {
    auto t0 = Clock::now();
    const hl::Recording r = hl::ReadRecording(file);
    read_s = std::min(read_s, Seconds(t0, Clock::now()));
    hl::ViewerState s;
    t0 = Clock::now();
    if (!s.Open(file)) throw hl::Error(file.string(), s.last_error());
    open_s = std::min(open_s, Seconds(t0, Clock::now()));
  }
  std::printf(
      "open (read + marker set + measures + reps): %.3f s   baseline ReadRecording alone: %.3f s  "
      "(target < 1 s)\n",
      open_s, read_s);

  hl::ViewerState state;
  if (!state.Open(file)) throw hl::Error(file.string(), state.last_error());
  hl::ViewerPanels panels;
  panels.drill.Scan(hl::DefaultPluginDirs());
  double score_s = -1;
  if (panels.drill.Select("dowel_hinge")) {
    const auto t0 = Clock::now();
    panels.drill.Rescore(&state);
    score_s = Seconds(t0, Clock::now());
  }
  std::printf("reps %zu; scoring with dowel_hinge: %s\n", state.reps().size(),
              score_s < 0 ? "plugin not found (run from <build>/bin)"
                          : (std::to_string(score_s) + " s").c_str());

  if (!glfwInit()) throw hl::Error("display", "no display: run under xvfb-run");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  constexpr int kWidth = 1280, kHeight = 720;
  GLFWwindow* window = glfwCreateWindow(kWidth, kHeight, "viewer_bench", nullptr, nullptr);
  if (!window) throw hl::Error("display", "no OpenGL 3.3 core context");
  glfwMakeContextCurrent(window);
  glfwSwapInterval(0);  // measure drawing, not the display's refresh
  std::printf("GL: %s | %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)),
              reinterpret_cast<const char*>(glGetString(GL_VERSION)));
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  if (std::getenv("HL_BENCH_NO_AA")) {
    ImGui::GetStyle().AntiAliasedLines = false;
    ImGui::GetStyle().AntiAliasedLinesUseTex = false;
    ImGui::GetStyle().AntiAliasedFill = false;
  }
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");
  {
    hl::Renderer3D renderer;
    std::string error;
    if (!renderer.Init(&error)) throw hl::Error("GL", error);
    hl::OrbitCamera camera = hl::DefaultCamera(state);
    // glFinish inside the timed span: llvmpipe renders on its own threads.
    std::vector<double> clear_ms;
    for (int i = 0; i < num_frames; ++i) {
      const auto t0 = Clock::now();
      glfwPollEvents();
      glBindFramebuffer(GL_FRAMEBUFFER, 0);
      glViewport(0, 0, kWidth, kHeight);
      glClearColor(0.1f, 0.1f, 0.12f, 1);
      glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT | GL_STENCIL_BUFFER_BIT);  // as the viewer
      glFinish();
      glfwSwapBuffers(window);
      if (i >= 10) clear_ms.push_back(1e3 * Seconds(t0, Clock::now()));
    }
    // Where a frame's time goes: building the UI (CPU), the 3D view (CPU +
    // GL), painting ImGui's lists (GL). Each configuration draws the 3D view;
    // windows keep the places the first (all panels) gave them.
    struct Config {
      const char* name;
      std::function<void()> ui;
    };
    const Config configs[] = {
        {"whole viewer (3D + all panels)", [&] { hl::DrawViewerPanels(&state, &panels, &camera); }},
        {"3D view only", [] {}},
        {"3D + plots panel", [&] { hl::DrawPlotsPanel(&state, panels.drill); }},
        {"3D + scene panel", [&] { hl::DrawScenePanel(&state, &camera, {}); }},
        {"3D + drill panel", [&] { hl::DrawDrillPanel(&state, &panels.drill); }},
        {"3D + timeline panel", [&] { hl::DrawTimelinePanel(&state); }},
        {"whole viewer again (load drift)", [&] { hl::DrawViewerPanels(&state, &panels, &camera); }},
    };
    state.Play();
    for (const Config& config : configs) {
      std::vector<double> frame_ms, ui_ms, view_ms, imgui_ms;
      int triangles = 0;
      for (int i = 0; i < num_frames; ++i) {
        const auto t0 = Clock::now();
        glfwPollEvents();
        state.Advance(1.0 / 60);
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        config.ui();
        const auto t1 = Clock::now();
        int fb_width = 0, fb_height = 0;
        glfwGetFramebufferSize(window, &fb_width, &fb_height);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        renderer.Render(state, camera, fb_width, fb_height);
        glFinish();
        const auto t2 = Clock::now();
        renderer.DrawLabels(ImGui::GetBackgroundDrawList(), Eigen::Vector2f::Zero());
        ImGui::Render();
        triangles = ImGui::GetDrawData()->TotalIdxCount / 3;
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glFinish();
        const auto t3 = Clock::now();
        glfwSwapBuffers(window);
        if (i < 10) continue;  // the first frames build fonts and layout
        frame_ms.push_back(1e3 * Seconds(t0, Clock::now()));
        ui_ms.push_back(1e3 * Seconds(t0, t1));
        view_ms.push_back(1e3 * Seconds(t1, t2));
        imgui_ms.push_back(1e3 * Seconds(t2, t3));
      }
      std::printf(
          "%-32s %dx%d, %zu frames: median %6.2f ms, p90 %6.2f ms | UI build %.2f, 3D %.2f, "
          "ImGui paint %.2f ms (%d triangles)\n",
          config.name, kWidth, kHeight, frame_ms.size(), Median(frame_ms),
          Percentile(frame_ms, 0.9), Median(ui_ms), Median(view_ms), Median(imgui_ms), triangles);
    }
    std::printf(
        "baseline frame (clear + finish + swap): median %.2f ms, p90 %.2f ms (target for the "
        "whole viewer: < 16 ms)\n",
        Median(clear_ms), Percentile(clear_ms, 0.9));
    panels.camera.ReleaseGl();
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const hl::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
