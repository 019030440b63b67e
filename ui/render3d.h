#pragma once
// A small OpenGL 3.3 core renderer for the 3D view: lines, points and
// triangles through one shader, rebuilt from the ViewerState every frame
// (a few thousand vertices, far below what re-uploading costs).
//
// Draws the floor grid and world axes, the rig's camera frusta, markers
// coloured by segment, the dowel as a rod (green in contact, red when the
// sacrum gap passes the threshold, with the gap drawn and labelled), the
// pelvis frame, trails of the sacrum and knees over the current rep and the
// subject's forward arrow. Text (camera names, the gap, a hovered marker's
// id) is returned as ScreenLabels for an ImGui draw list to paint.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "ui/viewer_state.h"

struct ImDrawList;

namespace hl {

// Orbit camera around a target, Z up.
struct OrbitCamera {
  enum class Preset { kSide, kFront, kTop };
  Eigen::Vector3d target = Eigen::Vector3d(0, 0, 1);
  // Eye distance from the target (m).
  double distance = 4.0;
  // Azimuth of the eye around the target, from +X towards +Y (rad).
  double yaw_rad = 1.5707963267948966;
  // Elevation of the eye above the target's horizontal plane (rad).
  double pitch_rad = 0.2;
  // Vertical field of view (rad).
  double fov_y_rad = 0.8;

  void Orbit(double dx_px, double dy_px);
  // Moves the target in the view plane so the scene follows the mouse.
  void Pan(double dx_px, double dy_px, int viewport_height);
  void Zoom(double wheel_steps);
  // Side: from the subject's left; front: facing the subject; top: from above.
  void SetPreset(Preset preset, const Eigen::Vector3d& subject_forward);
  // Keeps direction, fits a sphere into the view.
  void Frame(const Eigen::Vector3d& centre, double radius);
  Eigen::Vector3d Eye() const;
  Eigen::Matrix4f ViewMatrix() const;
  Eigen::Matrix4f ProjectionMatrix(double aspect) const;
};

// Pixel (top-left origin) of a world point in a width x height viewport;
// false when it lies behind the eye.
bool ProjectToPixel(const Eigen::Matrix4f& clip_from_world, int width, int height,
                    const Eigen::Vector3d& point_in_world, Eigen::Vector2f* pixel);

// RGBA colours the view uses (also what the screenshot test looks for).
Eigen::Vector4f SegmentColour(const std::string& segment);
Eigen::Vector4f ContactColour();      // dowel while in contact
Eigen::Vector4f ContactLostColour();  // dowel while contact is lost
Eigen::Vector4f BackgroundColour();

struct ScreenLabel {
  Eigen::Vector2f pixel;
  std::string text;
  Eigen::Vector4f colour;
};

class Renderer3D {
 public:
  Renderer3D() = default;
  ~Renderer3D();
  Renderer3D(const Renderer3D&) = delete;
  Renderer3D& operator=(const Renderer3D&) = delete;

  // Needs a current GL 3.3 core context. False (and *error) when the shader
  // does not compile or link.
  bool Init(std::string* error);
  // Draws the state's current frame into the bound framebuffer, viewport
  // (0, 0, width, height). `hover_px` (viewport pixels, negative: none)
  // picks the marker whose id is labelled.
  void Render(const ViewerState& state, const OrbitCamera& camera, int width, int height,
              Eigen::Vector2f hover_px = Eigen::Vector2f(-1, -1));
  // From the last Render.
  const std::vector<ScreenLabel>& labels() const { return labels_; }
  const Eigen::Matrix4f& clip_from_world() const { return clip_from_world_; }
  // Trajectory label index of the marker nearest `pixel` within radius, -1 none.
  int PickMarker(const Eigen::Vector2f& pixel, float radius_px) const;
  // Paints labels() into an ImGui draw list, offset by the viewport's screen origin.
  void DrawLabels(ImDrawList* list, const Eigen::Vector2f& origin) const;

 private:
  struct Vertex {
    float x, y, z;
    float r, g, b, a;
  };
  void AddLine(const Eigen::Vector3d& a, const Eigen::Vector3d& b, const Eigen::Vector4f& c);
  void AddPoint(std::vector<Vertex>* out, const Eigen::Vector3d& p, const Eigen::Vector4f& c);
  void AddCylinder(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double radius,
                   const Eigen::Vector4f& c);
  void BuildScene(const ViewerState& state, int width, int height, const Eigen::Vector2f& hover_px);
  void Draw(const std::vector<Vertex>& vertices, unsigned mode, float point_size);

  unsigned program_ = 0, vao_ = 0, vbo_ = 0;
  int loc_clip_from_world_ = -1, loc_point_size_ = -1, loc_round_ = -1;
  std::vector<Vertex> lines_, triangles_, points_, camera_points_;
  std::vector<ScreenLabel> labels_;
  std::vector<std::pair<int, Eigen::Vector2f>> marker_pixels_;
  Eigen::Matrix4f clip_from_world_ = Eigen::Matrix4f::Identity();
};

}  // namespace hl
