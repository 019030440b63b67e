#pragma once

// ArUco marker detection per camera, and tracking across frames.
//
// Detection (DetectMarkersInImage): cv::aruco::detectMarkers on the whole
// image or on crops, corners refined to sub-pixel, then filtered against the
// marker set: ids not in the set are counted and dropped; an id found twice in
// one image is ambiguous (which one is the marker?) so both are dropped and
// the id is reported as a duplicate.
//
// Tracking (MarkerTracker): after each frame set the corners of markers seen
// by two or more cameras are triangulated (linear, undistorted), those seen by
// one camera placed by planar PnP from their known size; the next
// frame's corners are predicted with constant velocity and reprojected into
// every camera, and detection runs only on crops around the predictions
// (overlapping crops merged). A camera gets a full-frame pass every
// `full_frame_interval` frames (staggered across cameras) to find new
// markers. A marker expected but not found in its crop is searched in a wider
// crop, then by a full-frame pass (at most one per `min_lost_pass_interval`
// frames per camera), so tracking costs speed, not recall. Cameras run in
// parallel.

#include <Eigen/Core>
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/camera.h"
#include "core/marker_set.h"

namespace hl {

enum class CornerRefinement {
  kNone,     // contour polygon corners as found (integer-ish)
  kSubpix,   // cv::cornerSubPix with a window sized to each marker's cell
  kContour,  // OpenCV's CORNER_REFINE_CONTOUR (lines fitted to contour pixels)
  kEdges,    // lines fitted to sub-pixel edge points (gradient peaks) of each side
};

struct DetectionOptions {
  // cv::aruco::PREDEFINED_DICTIONARY_NAME of the marker set.
  int dictionary_id = 0;
  // Sub-pixel corner refinement method.
  CornerRefinement refinement = CornerRefinement::kEdges;
  // kSubpix: the half-window is this fraction of a marker cell (px), so the
  // window never spans a whole cell and sees only the corner's two edges.
  double subpix_window_cell_fraction = 0.4;
  // Smallest marker perimeter in pixels to accept (absolute, so a crop
  // accepts exactly what the full frame accepts).
  double min_marker_perimeter_px = 40.0;
  // Throws hl::Error("detection options", ...) naming the bad field.
  void Check() const;
};

// One detected marker in one image: its id and the 4 corners (distorted
// pixels, OpenCV order: clockwise from the top-left of the printed marker).
struct MarkerObservation {
  int id = -1;
  std::array<Eigen::Vector2d, 4> corners_px;
};

struct ImageDetections {
  std::vector<MarkerObservation> markers;  // only ids of the set, each once
  std::vector<int> unknown_ids;            // ids not in the set (each once)
  std::vector<int> duplicate_ids;          // ids seen more than once (dropped)
  bool full_frame = false;                 // whether the whole image was searched
};

// Detects in `gray` (CV_8UC1; other types are converted) restricted to the
// given regions (empty: the whole image). Regions must not overlap.
ImageDetections DetectMarkersInImage(const cv::Mat& image, const MarkerSet& set,
                                     const DetectionOptions& options,
                                     const std::vector<cv::Rect>& regions = {});

struct TrackingOptions {
  // Off: every frame is a full-frame pass (the plain detector).
  bool enabled = true;
  // Frames between full-frame passes of one camera (new markers appear).
  // Markers new to one camera are mostly predicted from the others' 3D
  // state, so full passes are rarely what finds them: in the bench (studio4,
  // 60 frames) 60 and 30 below gave 5.6x at recall ratio 0.985, where 30 and
  // 10 gave 4.6x at 0.988.
  int full_frame_interval = 60;
  // Crop margin around a predicted marker: this fraction of its side ...
  double roi_margin_fraction = 0.6;
  // ... and at least this many pixels.
  double roi_margin_px = 16.0;
  // A marker is expected in a camera only when its face turns towards the
  // camera by more than this cosine (grazing views rarely decode).
  double min_facing_cosine = 0.25;
  // A marker missing from its crop is searched again in a crop this many
  // times wider, before any full-frame pass.
  double lost_search_scale = 3.0;
  // Frames between full-frame passes of one camera caused by lost markers (a
  // flickering or occluded marker must not turn tracking into full frames).
  int min_lost_pass_interval = 30;
  // Frames a marker's last 3D corners stay usable for prediction.
  int max_prediction_age = 3;
  void Check() const;
};

struct TrackingStats {
  int64_t frame_sets = 0;
  int64_t full_frame_passes = 0;   // periodic + lost + first
  int64_t lost_passes = 0;         // full-frame passes triggered by a lost marker
  int64_t roi_passes = 0;          // images searched by crops only
  double searched_pixel_fraction = 0.0;  // mean over images
};

// Per frame set: detections per camera.
using FrameDetections = std::vector<ImageDetections>;

class MarkerTracker {
 public:
  MarkerTracker(std::vector<Camera> cameras, MarkerSet set, DetectionOptions detection,
                TrackingOptions tracking);

  // images[c] is camera c's image (empty: no image this frame set). Detects,
  // then updates the 3D prediction state.
  FrameDetections Track(const std::vector<cv::Mat>& images);

  const TrackingStats& stats() const { return stats_; }

 private:
  struct MarkerState {
    std::array<Eigen::Vector3d, 4> corners;       // last triangulated (world)
    std::array<Eigen::Vector3d, 4> velocity;      // per frame
    bool has_velocity = false;
    // From one camera: the planar pose can be the mirror solution, so its
    // facing direction is not trusted.
    bool single_view = false;
    int64_t frame = -1;                           // when triangulated
  };
  struct CameraState {
    // Last 2D corners of markers seen in this camera (prediction for markers
    // without 3D state) and the frame they were seen.
    std::map<int, std::pair<std::array<Eigen::Vector2d, 4>, int64_t>> last_seen;
    // Ids predicted but not found (after a full-frame pass, or when lost
    // passes are rate-limited): still searched in their crops, but their
    // absence triggers nothing until they are seen again (an occluded marker
    // must not force a full pass each frame).
    std::set<int> suppressed;
    int64_t last_full_frame = -1000000;
  };

  // Predicted 2D corners of every marker expected in camera c.
  std::map<int, std::array<Eigen::Vector2d, 4>> Predict(int c) const;
  ImageDetections DetectCamera(int c, const cv::Mat& image, double* searched_fraction,
                               bool* lost_pass);
  void UpdateState(const FrameDetections& detections);

  std::vector<Camera> cameras_;
  MarkerSet set_;
  DetectionOptions detection_;
  TrackingOptions tracking_;
  std::map<int, MarkerState> markers_;
  std::vector<CameraState> camera_states_;
  int64_t frame_ = 0;
  TrackingStats stats_;
};

// Merges rectangles that overlap (after clipping to `bounds`) until none do.
std::vector<cv::Rect> MergeRegions(std::vector<cv::Rect> rects, const cv::Rect& bounds);

}  // namespace hl
