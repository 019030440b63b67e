#pragma once

// Writes a take to SESSION/<take>/: per camera lossless PNG images
// `<camera>/NNNNNN.png` (NNNNNN = the frame-set index) or a video
// `<camera>.mkv` (MJPG, or lossless FFV1), plus `<camera>.timestamps.csv`
// (frame,timestamp_s) and take.yml.
//
// Crash safety (a take killed with SIGKILL or a power cut of the process):
// take.yml is written first (status recording) and rewritten by Finish()
// (status complete). Each PNG is written to a temp file and renamed, and only
// then is its timestamp line appended with one write() call, so every frame
// with a timestamp line has a whole image; a reader ignores a partial last
// line. A killed take loses at most the frame being written. Videos are only
// as safe as the container: a killed .mkv may lose its unflushed tail.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/videoio.hpp>

#include "capture/frame_source.h"
#include "capture/session.h"
#include "capture/synchronizer.h"

namespace hl {

enum class MediaFormat { kPng, kMjpg, kFfv1 };

// "png", "mjpg", "ffv1" (throws hl::Error naming `where` otherwise).
MediaFormat ParseMediaFormat(const std::string& text, const std::string& where);
std::string MediaFormatName(MediaFormat format);

struct RecorderOptions {
  MediaFormat format = MediaFormat::kPng;
  // PNG zlib level 0-9: 1 keeps up with several cameras on one core.
  int png_compression = 1;
  // Write timestamps relative to the first recorded frame set (a live take's
  // steady clock starts at boot); false keeps them as given.
  bool relative_timestamps = true;
};

class Recorder {
 public:
  // Creates `take_dir` (refusing one that already holds a take) and writes
  // take.yml with status "recording". `info.cameras` names the cameras in the
  // order of FrameSet::frames; `info.media` and `info.start_time` are filled in.
  Recorder(std::filesystem::path take_dir, TakeInfo info, RecorderOptions options = {});
  // Closes the files without marking the take complete: a take abandoned by
  // an exception stays "recording", which is what it is.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Writes every frame present in the set, under the set's index.
  void Write(const FrameSet& set);
  // Writes one camera's frame under `frame_index`; indices of a camera must
  // increase.
  void WriteFrame(size_t camera, const Frame& frame, int64_t frame_index);
  // Closes the media and rewrites take.yml: status complete, end time, sets.
  void Finish();

  const std::filesystem::path& take_dir() const { return take_dir_; }
  int64_t frames_written(size_t camera) const;
  int64_t sets_written() const { return sets_written_; }

 private:
  struct Camera;
  void OpenVideo(Camera* cam, const cv::Mat& first);

  std::filesystem::path take_dir_;
  TakeInfo info_;
  RecorderOptions options_;
  std::vector<std::unique_ptr<Camera>> cameras_;
  bool has_origin_ = false;
  double origin_s_ = 0.0;
  int64_t sets_written_ = 0;
  bool finished_ = false;
};

}  // namespace hl
