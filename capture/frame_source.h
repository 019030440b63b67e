#pragma once

// Where frames come from: a live camera, a video file, a folder of images, a
// printf pattern, or a callback (the simulated studio and tests).
//
// Every source names its camera, so a failure reads "cam0: cannot open ...".
// Open() and Grab() return false at the end of the stream or on failure;
// failure() then says why (empty at a normal end). OpenOrThrow()/GrabOrThrow()
// turn a failure into hl::Error for callers that cannot go on without it.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace hl {

struct Frame {
  cv::Mat image;
  // Position of the frame in its camera's stream; after synchronization and
  // recording, the frame-set index it belongs to.
  int64_t index = -1;
  // Seconds on a clock common to all cameras of a take; NaN when unknown (an
  // image folder without timestamps and without a frame rate).
  double timestamp_s = std::numeric_limits<double>::quiet_NaN();
  // True when the driver stamped the frame (V4L2 buffer time) rather than the
  // host reading the clock after the frame arrived.
  bool hardware_timestamp = false;
};

// What a caller may ask of a source. Devices use all of it; files use fps (for
// image sequences without timestamps) and grayscale.
struct SourceOptions {
  // Frames per second: requested from a device; for an image sequence without
  // a timestamps CSV, the rate that times its frames. 0: device default, and
  // unknown (NaN timestamps) for image sequences.
  double fps = 0.0;
  // Requested device resolution; 0x0 keeps the driver default.
  cv::Size size{0, 0};
  // Device pixel format, "MJPG" or "YUYV"; empty keeps the driver default.
  std::string fourcc = "MJPG";
  // Manual exposure in driver units (V4L2: 100 us steps); <= 0 keeps auto exposure.
  double exposure = 0.0;
  // Convert every frame to 8-bit gray (what marker detection needs).
  bool grayscale = false;
};

class FrameSource {
 public:
  explicit FrameSource(std::string name) : name_(std::move(name)) {}
  virtual ~FrameSource() = default;
  FrameSource(const FrameSource&) = delete;
  FrameSource& operator=(const FrameSource&) = delete;

  // The camera name, used in every message.
  const std::string& name() const { return name_; }
  // The device, file, folder or pattern behind the source, for messages.
  virtual std::string path() const = 0;

  virtual bool Open() = 0;
  virtual bool Grab(Frame* frame) = 0;

  // Nominal frames per second; 0 when unknown.
  virtual double fps() const = 0;
  // Image size; 0x0 before Open() or when unknown.
  virtual cv::Size size() const = 0;
  virtual std::optional<int64_t> FrameCount() const { return std::nullopt; }
  // A live source drops frames when nobody reads them; a file source waits.
  virtual bool live() const { return false; }

  // Why the last Open() or Grab() returned false; empty at a normal end.
  const std::string& failure() const { return failure_; }

  // Throw hl::Error(name(), failure()) instead of returning false on failure.
  void OpenOrThrow();
  bool GrabOrThrow(Frame* frame);  // false only at a normal end

 protected:
  bool Fail(std::string what) {
    failure_ = std::move(what);
    return false;
  }
  bool EndOfStream() {
    failure_.clear();
    return false;
  }

 private:
  std::string name_;
  std::string failure_;
};

// Frames from a function. The producer fills *frame and returns true, or
// returns false at the end (leaving *failure empty) or on failure (setting it).
class CallbackSource : public FrameSource {
 public:
  using Producer = std::function<bool(Frame* frame, std::string* failure)>;
  struct Info {
    double fps = 0.0;
    cv::Size size{0, 0};
    std::optional<int64_t> frame_count;
    bool live = false;
    std::string path = "callback";
  };
  CallbackSource(std::string name, Producer producer, Info info);

  std::string path() const override { return info_.path; }
  bool Open() override { return true; }
  bool Grab(Frame* frame) override;
  double fps() const override { return info_.fps; }
  cv::Size size() const override { return info_.size; }
  std::optional<int64_t> FrameCount() const override { return info_.frame_count; }
  bool live() const override { return info_.live; }

 private:
  Producer producer_;
  Info info_;
};

// A V4L2 camera by index ("0") or device path ("/dev/video0").
class DeviceSource : public FrameSource {
 public:
  DeviceSource(std::string name, std::string device, SourceOptions options);

  std::string path() const override { return device_path_; }
  bool Open() override;
  bool Grab(Frame* frame) override;
  double fps() const override { return fps_; }
  cv::Size size() const override { return size_; }
  bool live() const override { return true; }

 private:
  std::string device_;
  std::string device_path_;
  SourceOptions options_;
  cv::VideoCapture capture_;
  double fps_ = 0.0;
  cv::Size size_{0, 0};
  int64_t next_index_ = 0;
  // Added to driver timestamps so they share the host steady clock.
  std::optional<double> driver_clock_offset_s_;
};

// True for a device index ("0") or a device path ("/dev/video0").
bool IsDeviceSpec(const std::string& spec);

// Seconds on the host steady clock (CLOCK_MONOTONIC on Linux, the clock V4L2
// stamps buffers with), the common clock of a live take.
double SteadyClockSeconds();

// Converts to 8-bit gray when asked; leaves other images alone.
cv::Mat ToGrayIfAsked(const cv::Mat& image, bool grayscale);

}  // namespace hl
