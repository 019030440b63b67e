#include "ui/screenshot.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cmath>
#include <optional>
#include <string>

#include "core/error.h"

namespace hl {
namespace {

std::string g_glfw_error;

void OnGlfwError(int code, const char* text) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (text ? text : "");
}

// The hidden window, its context and the framebuffer object, released in
// reverse order of creation whatever happens in between.
class OffscreenContext {
 public:
  OffscreenContext(int width, int height) {
    glfwSetErrorCallback(OnGlfwError);
    // GLFW, and with it the X connection, stays up until the process exits (a
    // no-op when already initialised): closing the display's last client makes
    // Xvfb reset, and the next screenshot's glfwInit can land in that reset
    // ("X11: Failed to open display", ECONNRESET).
    if (!glfwInit()) {
      throw Error("screenshot", "cannot initialise GLFW (" + g_glfw_error +
                                    "); a screenshot still needs an X display: run under "
                                    "xvfb-run -a -s \"-screen 0 1920x1080x24\"");
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    window_ = glfwCreateWindow(width, height, "hingelab screenshot", nullptr, nullptr);
    if (!window_) {
      throw Error("screenshot", "no OpenGL 3.3 core context (" + g_glfw_error + ")");
    }
    glfwMakeContextCurrent(window_);
    glGenFramebuffers(1, &fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glGenRenderbuffers(2, renderbuffers_);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffers_[0]);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, renderbuffers_[0]);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffers_[1]);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, renderbuffers_[1]);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      Release();
      throw Error("screenshot", "cannot make a " + std::to_string(width) + "x" +
                                    std::to_string(height) + " framebuffer; try a smaller --size");
    }
  }
  ~OffscreenContext() { Release(); }
  OffscreenContext(const OffscreenContext&) = delete;
  OffscreenContext& operator=(const OffscreenContext&) = delete;

  GLFWwindow* window() const { return window_; }
  void Bind() const { glBindFramebuffer(GL_FRAMEBUFFER, fbo_); }

 private:
  void Release() {
    if (!window_) return;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glDeleteRenderbuffers(2, renderbuffers_);
    glDeleteFramebuffers(1, &fbo_);
    glfwDestroyWindow(window_);
    window_ = nullptr;
  }
  GLFWwindow* window_ = nullptr;
  GLuint fbo_ = 0;
  GLuint renderbuffers_[2] = {0, 0};
};

// An ImGui context that exists only to paint labels over the frame.
class LabelPainter {
 public:
  explicit LabelPainter(GLFWwindow* window) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui_ImplGlfw_InitForOpenGL(window, false);
    ImGui_ImplOpenGL3_Init("#version 330");
  }
  ~LabelPainter() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  LabelPainter(const LabelPainter&) = delete;
  LabelPainter& operator=(const LabelPainter&) = delete;

  // With panels, a first frame lays the windows out (ImGui sizes new
  // windows one frame late) and only the second is drawn.
  void Paint(const Renderer3D& renderer, int width, int height, ViewerState* state,
             ViewerPanels* panels, OrbitCamera camera) {
    for (int pass = panels ? 0 : 1; pass < 2; ++pass) {
      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGuiIO& io = ImGui::GetIO();
      io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
      io.DisplayFramebufferScale = ImVec2(1, 1);
      io.DeltaTime = 1.0f / 60.0f;
      ImGui::NewFrame();
      if (panels) DrawViewerPanels(state, panels, &camera);
      renderer.DrawLabels(ImGui::GetBackgroundDrawList(), Eigen::Vector2f::Zero());
      ImGui::Render();
    }
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
};

}  // namespace

OrbitCamera DefaultCamera(const ViewerState& state) {
  OrbitCamera camera;
  Eigen::Vector3d centre;
  double radius = 1.0;
  state.SceneBounds(/*include_cameras=*/!state.has_recording(), &centre, &radius);
  const Eigen::Vector3d forward =
      state.measures() ? state.measures()->frame.forward : Eigen::Vector3d::UnitX();
  camera.SetPreset(OrbitCamera::Preset::kSide, forward);
  camera.Frame(centre, radius);
  return camera;
}

Screenshot RenderScreenshot(const ViewerState& state, const ScreenshotOptions& options) {
  if (options.width < 16 || options.height < 16 || options.width > 8192 || options.height > 8192) {
    throw Error("--size", "must be between 16x16 and 8192x8192 pixels");
  }
  Screenshot shot;
  shot.camera = options.camera ? *options.camera : DefaultCamera(state);
  OffscreenContext context(options.width, options.height);
  {
    Renderer3D renderer;
    std::string error;
    if (!renderer.Init(&error)) throw Error("screenshot", error);
    context.Bind();
    renderer.Render(state, shot.camera, options.width, options.height);
    shot.clip_from_world = renderer.clip_from_world();
    if (options.draw_labels) {
      LabelPainter painter(context.window());
      context.Bind();
      std::optional<ViewerState> copy;
      if (options.panels) copy.emplace(state);
      painter.Paint(renderer, options.width, options.height, copy ? &*copy : nullptr,
                    options.panels, shot.camera);
      // The panels' GL texture lives in this context, which ends here.
      if (options.panels) options.panels->camera.ReleaseGl();
    }
    context.Bind();
    glFinish();
    cv::Mat rgba(options.height, options.width, CV_8UC4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, options.width, options.height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data);
    // GL rows run bottom-up; images top-down.
    shot.image.create(options.height, options.width, CV_8UC3);
    for (int y = 0; y < options.height; ++y) {
      const uint8_t* src = rgba.ptr<uint8_t>(options.height - 1 - y);
      uint8_t* dst = shot.image.ptr<uint8_t>(y);
      for (int x = 0; x < options.width; ++x) {
        dst[3 * x + 0] = src[4 * x + 2];
        dst[3 * x + 1] = src[4 * x + 1];
        dst[3 * x + 2] = src[4 * x + 0];
      }
    }
  }
  return shot;
}

}  // namespace hl
