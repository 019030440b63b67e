#include "capture/recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"

namespace hl {
namespace fs = std::filesystem;

struct Recorder::Camera {
  std::string name;
  fs::path image_dir;   // PNG
  fs::path video_path;  // MJPG / FFV1
  fs::path csv_path;
  int csv_fd = -1;
  cv::VideoWriter video;
  cv::Size size{0, 0};
  int channels = 0;
  int64_t frames = 0;
  int64_t last_index = -1;
};

MediaFormat ParseMediaFormat(const std::string& text, const std::string& where) {
  if (text == "png") return MediaFormat::kPng;
  if (text == "mjpg") return MediaFormat::kMjpg;
  if (text == "ffv1") return MediaFormat::kFfv1;
  throw Error(where, "unknown media format '" + text + "'; use png, mjpg or ffv1");
}

std::string MediaFormatName(MediaFormat format) {
  switch (format) {
    case MediaFormat::kPng:
      return "png";
    case MediaFormat::kMjpg:
      return "mjpg";
    case MediaFormat::kFfv1:
      return "ffv1";
  }
  return "png";
}

namespace {

// One write() per line: a kill leaves either the whole line or a prefix of it
// at the end of the file, which the reader ignores.
void AppendLine(int fd, const std::string& line, const fs::path& path) {
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw Error(path.string(),
                  std::string("cannot append: ") + std::strerror(errno) + "; is the disk full?");
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

Recorder::Recorder(fs::path take_dir, TakeInfo info, RecorderOptions options)
    : take_dir_(std::move(take_dir)), info_(std::move(info)), options_(options) {
  if (info_.cameras.empty()) throw Error(take_dir_.string(), "a take needs at least one camera");
  for (const auto& name : info_.cameras) {
    if (!IsValidName(name)) {
      throw Error(name, "camera name must be letters, digits, '_', '-' or '.' (it names files)");
    }
  }
  std::error_code ec;
  if (fs::exists(take_dir_ / "take.yml", ec)) {
    throw Error(take_dir_.string(), "already holds a take; choose another take name");
  }
  info_.media = MediaFormatName(options_.format);
  if (info_.start_time.empty()) info_.start_time = UtcTimestampNow();
  info_.end_time.clear();
  info_.status = "recording";
  info_.frame_sets = 0;
  WriteTake(take_dir_, info_);
  for (const auto& name : info_.cameras) {
    auto cam = std::make_unique<Camera>();
    cam->name = name;
    cam->csv_path = take_dir_ / (name + ".timestamps.csv");
    if (options_.format == MediaFormat::kPng) {
      cam->image_dir = take_dir_ / name;
      fs::create_directories(cam->image_dir, ec);
      if (ec) throw Error(cam->image_dir.string(), "cannot create the folder: " + ec.message());
    } else {
      cam->video_path = take_dir_ / (name + ".mkv");
    }
    cam->csv_fd = ::open(cam->csv_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (cam->csv_fd < 0) {
      throw Error(cam->csv_path.string(), std::string("cannot create: ") + std::strerror(errno));
    }
    AppendLine(cam->csv_fd, "frame,timestamp_s\n", cam->csv_path);
    cameras_.push_back(std::move(cam));
  }
}

Recorder::~Recorder() {
  for (auto& cam : cameras_) {
    if (cam->csv_fd >= 0) ::close(cam->csv_fd);
    cam->csv_fd = -1;
    if (cam->video.isOpened()) cam->video.release();
  }
}

int64_t Recorder::frames_written(size_t camera) const { return cameras_.at(camera)->frames; }

void Recorder::OpenVideo(Camera* cam, const cv::Mat& first) {
  const int fourcc = options_.format == MediaFormat::kFfv1
                         ? cv::VideoWriter::fourcc('F', 'F', 'V', '1')
                         : cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
  const double fps = info_.fps > 0 ? info_.fps : 30.0;  // container rate only; times are in the CSV
  // OpenCV's FFmpeg writer refuses parameters it does not know (quality is one).
  const std::vector<int> params = {cv::VIDEOWRITER_PROP_IS_COLOR, first.channels() == 1 ? 0 : 1};
  const auto previous = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  try {
    cam->video.open(cam->video_path.string(), cv::CAP_FFMPEG, fourcc, fps, first.size(), params);
  } catch (const cv::Exception&) {
    cam->video.release();
  }
  cv::utils::logging::setLogLevel(previous);
  if (!cam->video.isOpened()) {
    throw Error(cam->name, "cannot write video " + cam->video_path.string() + " with codec " +
                               MediaFormatName(options_.format) +
                               " (OpenCV's FFmpeg backend lacks it?); record with --format png");
  }
}

void Recorder::WriteFrame(size_t camera, const Frame& frame, int64_t frame_index) {
  HL_CHECK_MSG(!finished_, "Recorder::WriteFrame after Finish");
  Camera& cam = *cameras_.at(camera);
  if (frame.image.empty()) throw Error(cam.name, "empty image; the camera delivered no pixels");
  if (frame.image.depth() != CV_8U) {
    throw Error(cam.name, "only 8-bit images can be recorded");
  }
  HL_CHECK_MSG(frame_index > cam.last_index, "frame indices of a camera must increase");
  if (cam.frames == 0) {
    cam.size = frame.image.size();
    cam.channels = frame.image.channels();
  } else if (frame.image.size() != cam.size || frame.image.channels() != cam.channels) {
    throw Error(cam.name, "frame " + std::to_string(frame_index) +
                              " changes the image size or channels mid-take");
  }
  double t = frame.timestamp_s;
  if (!std::isfinite(t)) {
    if (!(info_.fps > 0)) throw Error(cam.name, "frame without a timestamp and no frame rate");
    t = static_cast<double>(frame_index) / info_.fps;
  }
  if (!has_origin_) {
    has_origin_ = true;
    origin_s_ = options_.relative_timestamps ? t : 0.0;
  }
  if (options_.format == MediaFormat::kPng) {
    std::vector<uchar> png;
    if (!cv::imencode(".png", frame.image, png,
                      {cv::IMWRITE_PNG_COMPRESSION, options_.png_compression})) {
      throw Error(cam.name, "cannot encode frame " + std::to_string(frame_index) + " as PNG");
    }
    char file[32];
    std::snprintf(file, sizeof(file), "%06lld.png", static_cast<long long>(frame_index));
    WriteFileAtomic(cam.image_dir / file,
                    std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
  } else {
    if (!cam.video.isOpened()) OpenVideo(&cam, frame.image);
    cam.video.write(frame.image);
  }
  AppendLine(cam.csv_fd, std::to_string(frame_index) + "," + FormatDouble(t - origin_s_) + "\n",
             cam.csv_path);
  cam.last_index = frame_index;
  cam.frames++;
}

void Recorder::Write(const FrameSet& set) {
  HL_CHECK(set.frames.size() == cameras_.size());
  if (!has_origin_ && std::isfinite(set.timestamp_s)) {
    has_origin_ = true;
    origin_s_ = options_.relative_timestamps ? set.timestamp_s : 0.0;
  }
  for (size_t i = 0; i < set.frames.size(); ++i) {
    if (set.frames[i]) WriteFrame(i, *set.frames[i], set.index);
  }
  sets_written_++;
}

void Recorder::Finish() {
  if (finished_) return;
  finished_ = true;
  for (auto& cam : cameras_) {
    if (cam->video.isOpened()) cam->video.release();
    if (cam->csv_fd >= 0 && ::close(cam->csv_fd) != 0) {
      cam->csv_fd = -1;
      throw Error(cam->csv_path.string(), std::string("cannot close: ") + std::strerror(errno));
    }
    cam->csv_fd = -1;
  }
  info_.end_time = UtcTimestampNow();
  info_.status = "complete";
  info_.frame_sets = sets_written_;
  WriteTake(take_dir_, info_);
}

}  // namespace hl
