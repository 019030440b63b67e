#include "ui/camera_view.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "capture/media_source.h"
#include "core/error.h"

namespace hl {

namespace fs = std::filesystem;

std::optional<fs::path> CameraMediaPath(const fs::path& take_dir, const std::string& camera) {
  if (take_dir.empty() || camera.empty()) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(take_dir / camera, ec)) return take_dir / camera;
  for (const char* ext : {".mkv", ".avi", ".mp4"}) {
    if (fs::is_regular_file(take_dir / (camera + ext), ec)) return take_dir / (camera + ext);
  }
  return std::nullopt;
}

std::vector<std::string> CameraView::CamerasWithMedia(const ViewerState& state) {
  std::vector<std::string> names;
  for (const Camera& c : state.rig().cameras) {
    if (CameraMediaPath(state.take_dir(), c.name)) names.push_back(c.name);
  }
  return names;
}

const CameraView::Media* CameraView::FindMedia(const ViewerState& state, const std::string& camera,
                                               std::string* error) {
  if (take_dir_ != state.take_dir()) {
    media_.clear();
    take_dir_ = state.take_dir();
  }
  if (const auto it = media_.find(camera); it != media_.end()) return &it->second;
  const auto path = CameraMediaPath(take_dir_, camera);
  if (!path) {
    *error = "no media for camera " + camera + " in " + take_dir_.string();
    return nullptr;
  }
  Media media;
  media.path = *path;
  try {
    if (fs::is_directory(*path)) {
      ImageSequenceSource source(camera, path->string(), SourceOptions{});
      if (!source.Open()) {
        *error = path->string() + ": no readable images";
        return nullptr;
      }
      media.images = source.files();
    }
    if (const auto csv = FindTimestampsCsv(*path, camera)) {
      for (const TimestampRow& row : ReadTimestampsCsv(*csv)) {
        media.media_of_frame.emplace(row.frame, static_cast<int64_t>(media.media_of_frame.size()));
      }
      media.has_timestamps = true;
    }
  } catch (const Error& e) {
    *error = e.what();
    return nullptr;
  }
  return &media_.emplace(camera, std::move(media)).first->second;
}

cv::Mat CameraView::ReadFrame(const Media& media, int frame, std::string* error) const {
  int64_t k = frame;
  if (media.has_timestamps) {
    const auto it = media.media_of_frame.find(frame);
    if (it == media.media_of_frame.end()) {
      *error = "camera dropped frame " + std::to_string(frame) + " (not in its timestamps file)";
      return {};
    }
    k = it->second;
  }
  cv::Mat image;
  try {
    if (!media.images.empty()) {
      if (k < 0 || k >= static_cast<int64_t>(media.images.size())) {
        *error = "frame " + std::to_string(frame) + " is past the camera's " +
                 std::to_string(media.images.size()) + " images";
        return {};
      }
      image = cv::imread(media.images[k].string(), cv::IMREAD_COLOR);
    } else {
      cv::VideoCapture video(media.path.string());
      if (video.isOpened() && video.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(k)))
        video.read(image);
    }
  } catch (const cv::Exception& e) {
    *error = media.path.string() + ": " + e.what();
    return {};
  }
  if (image.empty()) *error = media.path.string() + ": cannot read frame " + std::to_string(frame);
  return image;
}

bool CameraView::Update(const ViewerState& state, const std::string& camera, int frame) {
  if (overlay_.camera == camera && overlay_.frame == frame && take_dir_ == state.take_dir())
    return false;
  overlay_ = CameraOverlay{};
  overlay_.camera = camera;
  overlay_.frame = frame;
  const Camera* cam = state.rig().Find(camera);
  if (!cam) {
    overlay_.error = "camera " + camera + " is not in the rig";
    return true;
  }
  const Media* media = FindMedia(state, camera, &overlay_.error);
  if (!media) return true;
  overlay_.image = ReadFrame(*media, frame, &overlay_.error);
  if (overlay_.image.empty()) return true;

  if (state.has_marker_set() && state.marker_set().dictionary_id >= 0) {
    DetectionOptions options;
    options.dictionary_id = state.marker_set().dictionary_id;
    try {
      overlay_.detections =
          DetectMarkersInImage(overlay_.image, state.marker_set(), options).markers;
    } catch (const Error& e) {
      overlay_.error = e.what();
    }
  }
  if (frame < 0 || frame >= state.num_frames()) return true;
  for (int l = 0; l < state.points().num_labels(); ++l) {
    const Sample& s = state.points().at(frame, l);
    Eigen::Vector2d px;
    if (!s.valid() || !cam->Project(s.position_m, &px)) continue;
    if (px.x() < 0 || px.y() < 0 || px.x() >= overlay_.image.cols || px.y() >= overlay_.image.rows)
      continue;
    overlay_.reprojections.emplace_back(l, px);
    const std::string& label = state.points().labels()[l];
    for (const MarkerObservation& m : overlay_.detections) {
      if (label != "M" + std::to_string(m.id)) continue;
      Eigen::Vector2d centre = Eigen::Vector2d::Zero();
      for (const auto& c : m.corners_px) centre += 0.25 * c;
      overlay_.reprojection_error_px.push_back((centre - px).norm());
    }
  }
  return true;
}

}  // namespace hl
