#pragma once
// The camera panel's state, apart from drawing: for a take with media, the
// chosen camera's image at the current frame, the marker corners detected in
// it and the reprojection of the recording's 3D markers through the rig (a
// bad calibration shows as reprojections off their detected markers).
//
// Media of camera C in take T: T/C/ (images, frame i = i-th file) or T/C.mkv
// (or .avi/.mp4); T/C.timestamps.csv, when present, maps frame-set indices
// (the recording's frames) to media frames.
#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "reconstruction/detection.h"
#include "ui/viewer_state.h"

namespace hl {

struct CameraOverlay {
  std::string camera;
  int frame = -1;
  cv::Mat image;  // BGR; empty when the frame could not be read
  std::vector<MarkerObservation> detections;
  // Reprojected markers: trajectory label index and pixel (inside the image only).
  std::vector<std::pair<int, Eigen::Vector2d>> reprojections;
  // Per reprojected label that was also detected: distance from the detected
  // marker's corner mean (px); the panel shows its median.
  std::vector<double> reprojection_error_px;
  std::string error;  // why the image or the overlay is missing, empty when fine
};

// The media path of `camera` in `take_dir`, when present.
std::optional<std::filesystem::path> CameraMediaPath(const std::filesystem::path& take_dir,
                                                     const std::string& camera);

class CameraView {
 public:
  // Cameras of the rig that have media in the state's take, in rig order.
  std::vector<std::string> CamerasWithMedia(const ViewerState& state);
  // Recomputes the overlay when camera or frame changed; true when it did.
  bool Update(const ViewerState& state, const std::string& camera, int frame);
  const CameraOverlay& overlay() const { return overlay_; }

 private:
  struct Media {
    std::filesystem::path path;
    std::vector<std::filesystem::path> images;  // empty for a video
    std::map<int64_t, int64_t> media_of_frame;  // from the timestamps file
    bool has_timestamps = false;
  };
  const Media* FindMedia(const ViewerState& state, const std::string& camera, std::string* error);
  cv::Mat ReadFrame(const Media& media, int frame, std::string* error) const;

  std::filesystem::path take_dir_;
  std::map<std::string, Media> media_;
  CameraOverlay overlay_;
};

}  // namespace hl
