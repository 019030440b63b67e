#include "ui/render3d.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#include <imgui.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hl {
namespace {

using Eigen::Vector3d;
using Eigen::Vector4f;

constexpr double kPi = 3.14159265358979323846;

const char* kVertexShader = R"(#version 330
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec4 a_colour;
uniform mat4 u_clip_from_world;
uniform float u_point_size;
out vec4 v_colour;
void main() {
  gl_Position = u_clip_from_world * vec4(a_position, 1.0);
  gl_PointSize = u_point_size;
  v_colour = a_colour;
}
)";

const char* kFragmentShader = R"(#version 330
in vec4 v_colour;
uniform int u_round;
out vec4 o_colour;
void main() {
  if (u_round == 1) {
    vec2 d = gl_PointCoord - vec2(0.5);
    if (dot(d, d) > 0.25) discard;
  }
  o_colour = v_colour;
}
)";

GLuint CompileShader(GLenum type, const char* source, std::string* error) {
  const GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[1024] = {0};
    glGetShaderInfoLog(shader, sizeof(log), nullptr, log);
    *error = std::string("shader does not compile: ") + log;
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

Vector3d AnyPerpendicular(const Vector3d& v) {
  const Vector3d other = std::abs(v.z()) < 0.9 ? Vector3d::UnitZ() : Vector3d::UnitX();
  return v.cross(other).normalized();
}

ImU32 ToImColour(const Vector4f& c) {
  return IM_COL32(static_cast<int>(c[0] * 255), static_cast<int>(c[1] * 255),
                  static_cast<int>(c[2] * 255), static_cast<int>(c[3] * 255));
}

}  // namespace

// --- camera -----------------------------------------------------------------

void OrbitCamera::Orbit(double dx_px, double dy_px) {
  constexpr double kRadPerPx = 0.008;
  yaw_rad -= dx_px * kRadPerPx;
  pitch_rad = std::clamp(pitch_rad + dy_px * kRadPerPx, -1.55, 1.55);
}

void OrbitCamera::Pan(double dx_px, double dy_px, int viewport_height) {
  const Eigen::Matrix4f view = ViewMatrix();
  const Vector3d right = view.block<1, 3>(0, 0).transpose().cast<double>();
  const Vector3d up = view.block<1, 3>(1, 0).transpose().cast<double>();
  const double m_per_px = 2.0 * distance * std::tan(fov_y_rad / 2) / std::max(1, viewport_height);
  target += (-dx_px * right + dy_px * up) * m_per_px;
}

void OrbitCamera::Zoom(double wheel_steps) {
  distance = std::clamp(distance * std::pow(0.9, wheel_steps), 0.05, 500.0);
}

void OrbitCamera::SetPreset(Preset preset, const Vector3d& subject_forward) {
  Vector3d forward(subject_forward.x(), subject_forward.y(), 0);
  if (forward.norm() < 1e-6) forward = Vector3d::UnitX();
  forward.normalize();
  const Vector3d left = Vector3d::UnitZ().cross(forward);
  switch (preset) {
    case Preset::kSide:
      yaw_rad = std::atan2(left.y(), left.x());
      pitch_rad = 0.1;
      break;
    case Preset::kFront:
      yaw_rad = std::atan2(forward.y(), forward.x());
      pitch_rad = 0.1;
      break;
    case Preset::kTop:
      yaw_rad = std::atan2(-forward.y(), -forward.x());
      pitch_rad = 1.55;
      break;
  }
}

void OrbitCamera::Frame(const Vector3d& centre, double radius) {
  target = centre;
  distance = std::max(0.1, radius / std::sin(fov_y_rad / 2) * 1.05);
}

Vector3d OrbitCamera::Eye() const {
  return target + distance * Vector3d(std::cos(pitch_rad) * std::cos(yaw_rad),
                                       std::cos(pitch_rad) * std::sin(yaw_rad), std::sin(pitch_rad));
}

Eigen::Matrix4f OrbitCamera::ViewMatrix() const {
  const Vector3d eye = Eye();
  const Vector3d f = (target - eye).normalized();
  Vector3d s = f.cross(Vector3d::UnitZ());
  if (s.norm() < 1e-9) s = Vector3d::UnitX();  // looking straight down
  s.normalize();
  const Vector3d u = s.cross(f);
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m.block<1, 3>(0, 0) = s.transpose();
  m.block<1, 3>(1, 0) = u.transpose();
  m.block<1, 3>(2, 0) = -f.transpose();
  m(0, 3) = -s.dot(eye);
  m(1, 3) = -u.dot(eye);
  m(2, 3) = f.dot(eye);
  return m.cast<float>();
}

Eigen::Matrix4f OrbitCamera::ProjectionMatrix(double aspect) const {
  const double near_m = std::max(0.01, distance * 0.01), far_m = distance * 20 + 50;
  const double t = 1.0 / std::tan(fov_y_rad / 2);
  Eigen::Matrix4d p = Eigen::Matrix4d::Zero();
  p(0, 0) = t / std::max(1e-6, aspect);
  p(1, 1) = t;
  p(2, 2) = (far_m + near_m) / (near_m - far_m);
  p(2, 3) = 2 * far_m * near_m / (near_m - far_m);
  p(3, 2) = -1;
  return p.cast<float>();
}

bool ProjectToPixel(const Eigen::Matrix4f& clip_from_world, int width, int height,
                    const Vector3d& point_in_world, Eigen::Vector2f* pixel) {
  const Eigen::Vector4f clip = clip_from_world * point_in_world.cast<float>().homogeneous();
  if (clip.w() <= 1e-6f) return false;
  const float x = clip.x() / clip.w(), y = clip.y() / clip.w();
  *pixel = Eigen::Vector2f((x + 1) * 0.5f * width, (1 - y) * 0.5f * height);
  return true;
}

Vector4f SegmentColour(const std::string& segment) {
  if (segment == "dowel") return {0.95f, 0.95f, 0.95f, 1};
  if (segment == "pelvis") return {0.90f, 0.30f, 0.90f, 1};
  if (segment == "knee_left") return {0.20f, 0.75f, 1.00f, 1};
  if (segment == "knee_right") return {1.00f, 0.60f, 0.10f, 1};
  if (segment == "head") return {1.00f, 0.95f, 0.30f, 1};
  if (segment == "thorax") return {0.45f, 0.45f, 1.00f, 1};
  if (segment == "bar") return {0.70f, 0.70f, 0.55f, 1};
  if (segment == "foot_left") return {0.30f, 0.90f, 0.75f, 1};
  if (segment == "foot_right") return {1.00f, 0.55f, 0.65f, 1};
  return {0.55f, 0.55f, 0.55f, 1};
}
Vector4f ContactColour() { return {0.10f, 0.85f, 0.20f, 1}; }
Vector4f ContactLostColour() { return {0.95f, 0.12f, 0.10f, 1}; }
Vector4f BackgroundColour() { return {0.11f, 0.11f, 0.13f, 1}; }

// --- renderer ---------------------------------------------------------------

Renderer3D::~Renderer3D() {
  if (vbo_) glDeleteBuffers(1, &vbo_);
  if (vao_) glDeleteVertexArrays(1, &vao_);
  if (program_) glDeleteProgram(program_);
}

bool Renderer3D::Init(std::string* error) {
  const GLuint vs = CompileShader(GL_VERTEX_SHADER, kVertexShader, error);
  if (!vs) return false;
  const GLuint fs = CompileShader(GL_FRAGMENT_SHADER, kFragmentShader, error);
  if (!fs) {
    glDeleteShader(vs);
    return false;
  }
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[1024] = {0};
    glGetProgramInfoLog(program_, sizeof(log), nullptr, log);
    *error = std::string("shader program does not link: ") + log;
    return false;
  }
  loc_clip_from_world_ = glGetUniformLocation(program_, "u_clip_from_world");
  loc_point_size_ = glGetUniformLocation(program_, "u_point_size");
  loc_round_ = glGetUniformLocation(program_, "u_round");
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, sizeof(Vertex), nullptr);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, sizeof(Vertex),
                        reinterpret_cast<const void*>(3 * sizeof(float)));
  glBindVertexArray(0);
  return true;
}

void Renderer3D::AddLine(const Vector3d& a, const Vector3d& b, const Vector4f& c) {
  lines_.push_back({float(a.x()), float(a.y()), float(a.z()), c[0], c[1], c[2], c[3]});
  lines_.push_back({float(b.x()), float(b.y()), float(b.z()), c[0], c[1], c[2], c[3]});
}

void Renderer3D::AddPoint(std::vector<Vertex>* out, const Vector3d& p, const Vector4f& c) {
  out->push_back({float(p.x()), float(p.y()), float(p.z()), c[0], c[1], c[2], c[3]});
}

void Renderer3D::AddCylinder(const Vector3d& a, const Vector3d& b, double radius, const Vector4f& c) {
  const Vector3d axis = b - a;
  if (axis.norm() < 1e-9) return;
  const Vector3d u = AnyPerpendicular(axis.normalized());
  const Vector3d v = axis.normalized().cross(u);
  const Vector3d light = Vector3d(0.3, -0.4, 0.85).normalized();
  constexpr int kSides = 16;
  auto vertex = [&](const Vector3d& p, const Vector3d& n) {
    // Baked diffuse light keeps one shader for everything; the hue stays clear.
    const float shade = static_cast<float>(0.7 + 0.3 * std::max(0.0, n.dot(light)));
    triangles_.push_back({float(p.x()), float(p.y()), float(p.z()), c[0] * shade, c[1] * shade,
                          c[2] * shade, c[3]});
  };
  for (int i = 0; i < kSides; ++i) {
    const double a0 = 2 * kPi * i / kSides, a1 = 2 * kPi * (i + 1) / kSides;
    const Vector3d n0 = std::cos(a0) * u + std::sin(a0) * v;
    const Vector3d n1 = std::cos(a1) * u + std::sin(a1) * v;
    const Vector3d p0 = a + radius * n0, p1 = a + radius * n1;
    const Vector3d q0 = b + radius * n0, q1 = b + radius * n1;
    vertex(p0, n0), vertex(p1, n1), vertex(q1, n1);
    vertex(p0, n0), vertex(q1, n1), vertex(q0, n0);
    // End caps, so the rod reads as solid from any angle.
    vertex(a, -axis.normalized()), vertex(p1, -axis.normalized()), vertex(p0, -axis.normalized());
    vertex(b, axis.normalized()), vertex(q0, axis.normalized()), vertex(q1, axis.normalized());
  }
}

void Renderer3D::BuildScene(const ViewerState& state, int width, int height,
                            const Eigen::Vector2f& hover_px) {
  lines_.clear(), triangles_.clear(), points_.clear(), camera_points_.clear();
  labels_.clear(), marker_pixels_.clear();
  const ViewerSettings& s = state.settings;
  const int f = state.frame();

  if (s.show_grid) {
    const Vector4f grid(0.28f, 0.28f, 0.30f, 1);
    for (int i = -6; i <= 6; ++i) {
      AddLine(Vector3d(i * 0.5, -3, 0), Vector3d(i * 0.5, 3, 0), grid);
      AddLine(Vector3d(-3, i * 0.5, 0), Vector3d(3, i * 0.5, 0), grid);
    }
  }
  if (s.show_axes) {
    AddLine(Vector3d::Zero(), Vector3d(0.5, 0, 0), Vector4f(0.9f, 0.2f, 0.2f, 1));
    AddLine(Vector3d::Zero(), Vector3d(0, 0.5, 0), Vector4f(0.2f, 0.9f, 0.2f, 1));
    AddLine(Vector3d::Zero(), Vector3d(0, 0, 0.5), Vector4f(0.3f, 0.4f, 1.0f, 1));
  }

  auto label_at = [&](const Vector3d& p, const std::string& text, const Vector4f& colour) {
    Eigen::Vector2f px;
    if (ProjectToPixel(clip_from_world_, width, height, p, &px)) labels_.push_back({px, text, colour});
  };

  if (s.show_frusta) {
    const Vector4f frustum(0.95f, 0.85f, 0.30f, 1);
    constexpr double kDepth = 0.3;  // drawn depth (m) of each frustum
    for (const Camera& cam : state.rig().cameras) {
      if (cam.width <= 0 || cam.height <= 0 || cam.fx <= 0 || cam.fy <= 0) continue;
      const Vector3d centre = cam.CenterInWorld();
      const Eigen::Matrix3d world_from_cam = cam.cam_from_world.RotationMatrix().transpose();
      Vector3d corners[4];
      const double us[4] = {0, double(cam.width), double(cam.width), 0};
      const double vs[4] = {0, 0, double(cam.height), double(cam.height)};
      for (int i = 0; i < 4; ++i) {
        // Pinhole corners: the frustum shows coverage, distortion would not change it visibly.
        const Vector3d ray((us[i] - cam.cx) / cam.fx, (vs[i] - cam.cy) / cam.fy, 1.0);
        corners[i] = centre + world_from_cam * (ray * kDepth);
      }
      for (int i = 0; i < 4; ++i) {
        AddLine(centre, corners[i], frustum);
        AddLine(corners[i], corners[(i + 1) % 4], frustum);
      }
      AddPoint(&camera_points_, centre, frustum);
      if (s.show_camera_names) label_at(centre, cam.name, frustum);
    }
  }

  if (!state.has_recording()) return;

  // The dowel rod, coloured by contact at the sacrum.
  Vector3d bottom, top;
  if (state.DowelAxisAt(f, &bottom, &top)) {
    const auto gap = state.ContactGapAt(f);
    Vector4f colour(0.80f, 0.65f, 0.40f, 1);  // contact unknown: wood
    if (gap) colour = *gap > s.contact_threshold_m ? ContactLostColour() : ContactColour();
    AddCylinder(bottom, top, s.dowel_radius_m, colour);
    Vector3d sacrum;
    if (gap && state.LandmarkAt("SACRUM", f, &sacrum)) {
      const Vector3d dir = (top - bottom).normalized();
      const Vector3d on_line = bottom + (sacrum - bottom).dot(dir) * dir;
      const Vector4f gap_colour(1.0f, 1.0f, 0.6f, 1);
      AddCylinder(sacrum, on_line, 0.003, gap_colour);
      char text[64];
      std::snprintf(text, sizeof(text), "gap %.1f cm", *gap * 100);
      label_at(0.5 * (sacrum + on_line), text, gap_colour);
    }
  }

  const Measures* m = state.measures();
  Vector3d sacrum;
  const bool have_sacrum = state.LandmarkAt("SACRUM", f, &sacrum);
  if (m && have_sacrum && s.show_pelvis_frame) {
    // Lateral axis from the pelvis plate's spread, signed to the subject's left.
    std::vector<Vector3d> plate;
    for (int l = 0; l < state.points().num_labels(); ++l) {
      const Sample& smp = state.points().at(f, l);
      if (smp.valid() && state.SegmentOfLabel(l) == "pelvis") plate.push_back(smp.position_m);
    }
    Vector3d left = m->frame.left;
    if (plate.size() >= 2) {
      Vector3d far_a = plate[0], far_b = plate[1];
      for (const auto& p : plate)
        for (const auto& q : plate)
          if ((p - q).norm() > (far_a - far_b).norm()) far_a = p, far_b = q;
      left = far_a - far_b;
      if (left.dot(m->frame.left) < 0) left = -left;
      left.normalize();
    }
    const Vector3d forward = left.cross(Vector3d::UnitZ()).normalized();
    const Vector3d up = forward.cross(left);
    constexpr double kLen = 0.12;
    AddLine(sacrum, sacrum + kLen * forward, Vector4f(0.9f, 0.2f, 0.2f, 1));
    AddLine(sacrum, sacrum + kLen * left, Vector4f(0.2f, 0.9f, 0.2f, 1));
    AddLine(sacrum, sacrum + kLen * up, Vector4f(0.3f, 0.4f, 1.0f, 1));
  }
  if (m && have_sacrum && s.show_forward_arrow) {
    const Vector3d base(sacrum.x(), sacrum.y(), 0.005);
    const Vector3d fwd = m->frame.forward.normalized();
    const Vector3d tip = base + 0.4 * fwd;
    const Vector3d side = Vector3d::UnitZ().cross(fwd).normalized();
    const Vector4f white(0.9f, 0.9f, 0.9f, 1);
    AddLine(base, tip, white);
    AddLine(tip, tip - 0.08 * fwd + 0.05 * side, white);
    AddLine(tip, tip - 0.08 * fwd - 0.05 * side, white);
  }
  if (m && s.show_trails) {
    // Over the current rep up to now; outside reps, the last second.
    const int rep = state.RepAt(f);
    const int start = rep >= 0 ? state.reps()[rep].start_frame
                               : std::max(0, f - static_cast<int>(state.fps()));
    const struct {
      const char* name;
      Vector4f colour;
    } trails[] = {{"SACRUM", SegmentColour("pelvis")},
                  {"KNEE_L", SegmentColour("knee_left")},
                  {"KNEE_R", SegmentColour("knee_right")}};
    for (const auto& t : trails) {
      Vector3d prev, cur;
      bool have_prev = false;
      for (int g = start; g <= f; ++g) {
        const bool ok = state.LandmarkAt(t.name, g, &cur);
        if (ok && have_prev) AddLine(prev, cur, t.colour * 0.8f);
        prev = cur;
        have_prev = ok;
      }
    }
  }

  // Markers last and on top: they are the data; everything else is context.
  for (int l = 0; l < state.points().num_labels(); ++l) {
    const Sample& smp = state.points().at(f, l);
    if (!smp.valid() || !smp.position_m.allFinite()) continue;
    AddPoint(&points_, smp.position_m, SegmentColour(state.SegmentOfLabel(l)));
    Eigen::Vector2f px;
    if (ProjectToPixel(clip_from_world_, width, height, smp.position_m, &px)) {
      marker_pixels_.push_back({l, px});
    }
  }
  int hovered = hover_px.x() >= 0 ? PickMarker(hover_px, s.marker_size_px) : -1;
  if (hovered < 0) hovered = state.selected_label();
  if (hovered >= 0) {
    const Sample& smp = state.points().at(f, hovered);
    if (smp.valid()) {
      const std::string seg = state.SegmentOfLabel(hovered);
      label_at(smp.position_m, state.points().labels()[hovered] + (seg.empty() ? "" : " (" + seg + ")"),
               Vector4f(1, 1, 1, 1));
    }
  }
}

int Renderer3D::PickMarker(const Eigen::Vector2f& pixel, float radius_px) const {
  int best = -1;
  float best_d = radius_px;
  for (const auto& [label, px] : marker_pixels_) {
    const float d = (px - pixel).norm();
    if (d <= best_d) best = label, best_d = d;
  }
  return best;
}

void Renderer3D::Draw(const std::vector<Vertex>& vertices, unsigned mode, float point_size) {
  if (vertices.empty()) return;
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(vertices.size() * sizeof(Vertex)),
               vertices.data(), GL_STREAM_DRAW);
  glUniform1f(loc_point_size_, point_size);
  glUniform1i(loc_round_, mode == GL_POINTS ? 1 : 0);
  glDrawArrays(mode, 0, static_cast<GLsizei>(vertices.size()));
}

void Renderer3D::Render(const ViewerState& state, const OrbitCamera& camera, int width, int height,
                        Eigen::Vector2f hover_px) {
  width = std::max(1, width), height = std::max(1, height);
  clip_from_world_ = camera.ProjectionMatrix(double(width) / height) * camera.ViewMatrix();
  BuildScene(state, width, height, hover_px);

  const Vector4f bg = BackgroundColour();
  glViewport(0, 0, width, height);
  glClearColor(bg[0], bg[1], bg[2], bg[3]);
  glClearDepth(1.0);
  glClearStencil(0);
  // Stencil too, though unused: a depth-only clear of a packed depth-stencil
  // buffer is a read-modify-write of every pixel in llvmpipe (perf: ~20 % of
  // viewer_bench's CPU samples), a full clear is a plain fill.
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT | GL_STENCIL_BUFFER_BIT);
  glDisable(GL_BLEND);
  glDisable(GL_CULL_FACE);
  glDisable(GL_SCISSOR_TEST);
  glEnable(GL_PROGRAM_POINT_SIZE);
  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LEQUAL);
  glUseProgram(program_);
  glUniformMatrix4fv(loc_clip_from_world_, 1, GL_FALSE, clip_from_world_.data());
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  Draw(triangles_, GL_TRIANGLES, 1.0f);
  Draw(lines_, GL_LINES, 1.0f);
  glDisable(GL_DEPTH_TEST);
  Draw(camera_points_, GL_POINTS, 7.0f);
  Draw(points_, GL_POINTS, state.settings.marker_size_px);
  glBindVertexArray(0);
  glUseProgram(0);
}

void Renderer3D::DrawLabels(ImDrawList* list, const Eigen::Vector2f& origin) const {
  for (const ScreenLabel& l : labels_) {
    const ImVec2 p(origin.x() + l.pixel.x() + 6, origin.y() + l.pixel.y() - 7);
    list->AddText(ImVec2(p.x + 1, p.y + 1), IM_COL32(0, 0, 0, 200), l.text.c_str());
    list->AddText(p, ToImColour(l.colour), l.text.c_str());
  }
}

}  // namespace hl
