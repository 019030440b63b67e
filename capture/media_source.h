#pragma once

// Recorded media as frame sources, and the per-camera timestamps file.
//
// A media PATH is a video file, a folder of images (sorted by file name,
// numbers compared by value; frame i is the i-th image) or a printf pattern
// with one integer conversion (`cam0/%06d.png`). A device ("0",
// "/dev/video0") opens the live camera.
//
// Timestamps: `<camera>.timestamps.csv` beside the media (for `take/cam0/` or
// `take/cam0.mkv`: `take/cam0.timestamps.csv`), header `frame,timestamp_s`,
// one row per recorded frame in media order. Row k gives the k-th media frame
// its index (the frame-set index it was recorded in) and its time. Without the
// file, frame k has index k and time k / fps. When the file has fewer rows
// than the media has frames (a take that was killed), the stream ends with the
// last row.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/frame_source.h"

namespace hl {

struct TimestampRow {
  int64_t frame = 0;
  double timestamp_s = 0.0;
};

// Parses a timestamps CSV held in memory. A last line without its newline is
// a write cut short and is ignored. Throws hl::Error(source_name, "line N: ...")
// on malformed rows or frame numbers that do not increase.
std::vector<TimestampRow> ParseTimestampsCsv(std::string_view text, const std::string& source_name);
std::vector<TimestampRow> ReadTimestampsCsv(const std::filesystem::path& path);

// The timestamps file for media at `media_path` recorded as camera `camera`,
// if one exists.
std::optional<std::filesystem::path> FindTimestampsCsv(const std::filesystem::path& media_path,
                                                       const std::string& camera);

// Images from a folder or a printf pattern.
class ImageSequenceSource : public FrameSource {
 public:
  ImageSequenceSource(std::string name, std::string folder_or_pattern, SourceOptions options);

  std::string path() const override { return spec_; }
  bool Open() override;
  bool Grab(Frame* frame) override;
  double fps() const override { return fps_; }
  cv::Size size() const override { return size_; }
  std::optional<int64_t> FrameCount() const override;
  // The image files in frame order (after Open()).
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  bool ListFolder(const std::filesystem::path& folder);
  bool ListPattern();

  std::string spec_;
  SourceOptions options_;
  std::vector<std::filesystem::path> files_;
  std::vector<TimestampRow> timestamps_;
  bool has_timestamps_ = false;
  double fps_ = 0.0;
  cv::Size size_{0, 0};
  size_t next_ = 0;
  cv::Mat first_image_;  // decoded by Open() to learn the size; handed out first
};

// Frames of a video file.
class VideoFileSource : public FrameSource {
 public:
  VideoFileSource(std::string name, std::string file, SourceOptions options);

  std::string path() const override { return file_; }
  bool Open() override;
  bool Grab(Frame* frame) override;
  double fps() const override { return fps_; }
  cv::Size size() const override { return size_; }
  std::optional<int64_t> FrameCount() const override { return frame_count_; }

 private:
  std::string file_;
  SourceOptions options_;
  cv::VideoCapture capture_;
  std::vector<TimestampRow> timestamps_;
  bool has_timestamps_ = false;
  double fps_ = 0.0;
  cv::Size size_{0, 0};
  std::optional<int64_t> frame_count_;
  int64_t next_ = 0;
};

// Picks the source by the form of `path_or_device` (see the top of this
// file). Does not open it: call Open() or OpenOrThrow().
std::unique_ptr<FrameSource> OpenMedia(const std::string& name, const std::string& path_or_device,
                                       const SourceOptions& options = {});

// Numbers inside names compare by value ("img2" < "img10"), the rest by byte.
bool NaturalLess(const std::string& a, const std::string& b);

}  // namespace hl
