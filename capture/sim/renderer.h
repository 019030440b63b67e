#pragma once

// The simulated studio's camera: renders one SceneFrame as one camera sees it.
//
// Every sample is ray cast, so perspective and lens distortion are exact: a
// sub-pixel position is unprojected through the inverse camera model (a
// per-camera map of undistorted rays at the pixel corners, interpolated
// bilinearly inside a pixel), intersected with each quad's plane and each
// capsule, and the nearest hit is shaded (the texture level whose texel is
// about one sub-sample wide, bilinear). Sub-samples average into the pixel
// (box filter, anti-aliasing). Pixel (u, v) has its centre at integer
// coordinates, as OpenCV's.
//
// Speed: only pixels whose rays can reach a primitive are ray cast. The image
// is cut into 16 x 16 tiles whose ray bounds (in the normalized image plane)
// are precomputed per camera; a primitive's projection is bounded in that
// plane, where it is exact and free of distortion folds, and binned to tiles.
// Capsules are also tested against each tile's cone of rays (dropped, or known
// to cover the whole tile). A pixel inside every nearby capsule's outline,
// away from creases and quads, is one sample (the shading is smooth there);
// capsule outlines get occluder_supersampling, printed quads supersampling.
// The rest of the image is the camera's precomputed background.
//
// After the geometry: Gaussian blur (lens and motion softness; recomputed
// only around the tiles that changed, elsewhere the pre-blurred background,
// within one gray level of a full blur), exposure gain (per-frame
// variation), sensor noise, optional JPEG round trip.

#include <cstdint>
#include <memory>
#include <vector>

#include <opencv2/aruco.hpp>
#include <opencv2/core.hpp>

#include "capture/sim/scene.h"
#include "core/camera.h"

namespace hl::sim {

struct RenderOptions {
  // Background: a smooth random texture per camera (walls, floor, clutter)
  // seeded by background_seed and the camera name; flat ambient_gray when off.
  bool background_texture = true;
  uint64_t background_seed = 1;
  // Mean gray level of the background.
  double ambient_gray = 110.0;
  // Amplitude (gray levels) of the background texture around ambient_gray.
  double background_contrast = 40.0;
  // Gray levels of white paper and black print before exposure gain; a real
  // camera rarely reaches 0 or 255 on a matte print.
  double paper_white = 215.0;
  double ink_black = 30.0;
  // Fraction of a capsule's gray it keeps where it is seen edge-on (the rest
  // is Lambert shading with light from the camera), so limbs look round.
  double capsule_ambient = 0.45;
  // Exposure: gain on the whole image, varying per frame with this relative
  // standard deviation (auto-exposure flicker).
  double exposure_gain = 1.0;
  double exposure_variation = 0.02;
  // Sensor noise: Gaussian, standard deviation in gray levels.
  double noise_sigma = 2.0;
  // Gaussian blur sigma in pixels; 0 for a sharp image.
  double blur_sigma_px = 0.6;
  // Sub-samples per pixel side (supersampling x supersampling per pixel)
  // where a printed quad may cross the pixel.
  int supersampling = 3;
  // Sub-samples per pixel side on capsule outlines with no quad in the pixel
  // (at most `supersampling`): smooth limb outlines need fewer, and they are
  // most of the sampled pixels of a take.
  int occluder_supersampling = 2;
  // JPEG quality 1..100 for a compression round trip; 0 = off.
  int jpeg_quality = 0;
  // Mixed with the frame seed and the camera name for exposure and noise.
  uint64_t seed = 0;
  // Dictionary the scene's MarkerInstances are printed from (the marker
  // set's; cv::aruco::PREDEFINED_DICTIONARY_NAME).
  int marker_dictionary = cv::aruco::DICT_4X4_50;
  // Marker texture resolution (pixels per marker cell, a power of two so the
  // texture pyramid halves exactly).
  int marker_pixels_per_cell = 32;

  // Throws hl::Error("render options", ...) naming the bad field.
  void Check() const;
  // No blur, noise, exposure variation or compression: for accuracy tests.
  static RenderOptions Sharp();
};

// Entries of the shared sensor-noise table (a power of two).
constexpr int kNoiseTableSize = 1 << 21;

// Per-camera precomputation (pixel-corner rays, tile bounds), shared by every
// renderer of a camera with the same intrinsics.
struct CameraRays;
// Process-wide cache of CameraRays keyed by the intrinsics (not the pose).
std::shared_ptr<const CameraRays> CameraRaysFor(const Camera& camera);

// Renders views of one camera. Construction does the per-camera work (the
// first time for given intrinsics: about a second on one core at 1080p); Render
// is const and thread-safe, so cameras of a rig can render in parallel.
class ViewRenderer {
 public:
  ViewRenderer(const Camera& camera, const RenderOptions& options);

  // CV_8UC1, camera.width x camera.height. Deterministic for (options.seed,
  // frame_seed, camera name).
  cv::Mat Render(const SceneFrame& scene, uint64_t frame_seed) const;

  const Camera& camera() const { return camera_; }
  const RenderOptions& options() const { return options_; }
  // The camera's background before exposure and noise (CV_8UC1).
  const cv::Mat& background() const { return background_; }

 private:
  // The sharp image; `touched` gets one flag per CameraRays tile (row-major),
  // set where a primitive may have changed a pixel of the background.
  cv::Mat RenderGeometry(const SceneFrame& scene, std::vector<uint8_t>* touched) const;
  // The Gaussian blur of `sharp`, recomputed only around touched tiles; the
  // rest is the pre-blurred background.
  cv::Mat Blur(const cv::Mat& sharp, const std::vector<uint8_t>& touched) const;

  Camera camera_;
  RenderOptions options_;
  std::shared_ptr<const CameraRays> rays_;
  cv::Mat background_;
  cv::Mat blurred_background_;  // empty when blur_sigma_px is 0
  std::shared_ptr<const std::vector<int16_t>> noise_table_;
};

// One view; reuses the cached per-camera work, so repeated calls are cheap.
cv::Mat RenderView(const Camera& camera, const SceneFrame& scene, const RenderOptions& options,
                   uint64_t frame_seed);

// All views of one frame, cameras in parallel (cv::parallel_for_).
std::vector<cv::Mat> RenderViews(const std::vector<ViewRenderer>& renderers,
                                 const SceneFrame& scene, uint64_t frame_seed);

}  // namespace hl::sim
