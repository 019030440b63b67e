#include "ui/viewer_app.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <string>

#include "core/error.h"
#include "ui/render3d.h"
#include "ui/screenshot.h"

namespace hl {
namespace {

std::string g_glfw_error;

void OnGlfwError(int code, const char* text) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (text ? text : "");
}

// Mouse and keys reach the 3D view only when ImGui does not want them.
void HandleViewInput(ViewerState* state, OrbitCamera* camera, int viewport_height) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.WantCaptureMouse) {
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) camera->Orbit(io.MouseDelta.x, io.MouseDelta.y);
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Right) || ImGui::IsMouseDragging(ImGuiMouseButton_Middle)) {
      camera->Pan(io.MouseDelta.x, io.MouseDelta.y, viewport_height);
    }
    if (io.MouseWheel != 0) camera->Zoom(io.MouseWheel);
  }
  if (!io.WantCaptureKeyboard) {
    if (ImGui::IsKeyPressed(ImGuiKey_Space)) state->TogglePlay();
    if (ImGui::IsKeyPressed(ImGuiKey_RightArrow)) state->Step(1);
    if (ImGui::IsKeyPressed(ImGuiKey_LeftArrow)) state->Step(-1);
    if (ImGui::IsKeyPressed(ImGuiKey_PageDown)) state->NextRep();
    if (ImGui::IsKeyPressed(ImGuiKey_PageUp)) state->PrevRep();
  }
}

}  // namespace

void RunViewerApp(ViewerState* state, ViewerPanels* panels, const ViewerAppOptions& options) {
  // Set-up.
  glfwSetErrorCallback(OnGlfwError);
  if (!glfwInit()) {
    throw Error("display", "cannot open a window (" + g_glfw_error + "); set DISPLAY or use --screenshot");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, "HingeLab", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    throw Error("display", "no OpenGL 3.3 core context (" + g_glfw_error + ")");
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  // State.
  {
    Renderer3D renderer;
    std::string error;
    if (!renderer.Init(&error)) {
      ImGui_ImplOpenGL3_Shutdown();
      ImGui_ImplGlfw_Shutdown();
      ImGui::DestroyContext();
      glfwDestroyWindow(window);
      glfwTerminate();
      throw Error("display", error);
    }
    OrbitCamera camera = DefaultCamera(*state);
    double last_time = glfwGetTime();

    // Loop.
    while (!glfwWindowShouldClose(window)) {
      glfwPollEvents();
      const double now = glfwGetTime();
      state->Advance(now - last_time);
      last_time = now;

      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      int fb_width = 0, fb_height = 0;
      glfwGetFramebufferSize(window, &fb_width, &fb_height);
      HandleViewInput(state, &camera, fb_height);
      DrawViewerPanels(state, panels, &camera);
      const ImGuiIO& io = ImGui::GetIO();
      const Eigen::Vector2f hover = io.WantCaptureMouse
                                        ? Eigen::Vector2f(-1, -1)
                                        : Eigen::Vector2f(io.MousePos.x * io.DisplayFramebufferScale.x,
                                                          io.MousePos.y * io.DisplayFramebufferScale.y);
      // The 3D view first: it fills the window behind the panels, and its
      // labels join this frame's foreground list before ImGui::Render.
      glBindFramebuffer(GL_FRAMEBUFFER, 0);
      renderer.Render(*state, camera, fb_width, fb_height, hover);
      renderer.DrawLabels(ImGui::GetBackgroundDrawList(), Eigen::Vector2f::Zero());
      ImGui::Render();
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      glfwSwapBuffers(window);
    }
    panels->camera.ReleaseGl();
  }

  // Clean-up, in reverse.
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
}

}  // namespace hl
