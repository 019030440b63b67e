#include "capture/frame_source.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace hl {
namespace {

std::string SizeText(cv::Size s) {
  return std::to_string(s.width) + "x" + std::to_string(s.height);
}

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// OpenCV logs its own warnings when a device is missing; the user gets our
// one-line error instead.
class QuietOpenCvLog {
 public:
  QuietOpenCvLog()
      : previous_(cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT)) {}
  ~QuietOpenCvLog() { cv::utils::logging::setLogLevel(previous_); }

 private:
  cv::utils::logging::LogLevel previous_;
};

}  // namespace

void FrameSource::OpenOrThrow() {
  if (!Open()) throw Error(name_, failure_.empty() ? "cannot open " + path() : failure_);
}

bool FrameSource::GrabOrThrow(Frame* frame) {
  if (Grab(frame)) return true;
  if (!failure_.empty()) throw Error(name_, failure_);
  return false;
}

cv::Mat ToGrayIfAsked(const cv::Mat& image, bool grayscale) {
  if (!grayscale || image.empty() || image.channels() == 1) return image;
  cv::Mat gray;
  cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

double SteadyClockSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool IsDeviceSpec(const std::string& spec) {
  return AllDigits(spec) || spec.rfind("/dev/", 0) == 0;
}

CallbackSource::CallbackSource(std::string name, Producer producer, Info info)
    : FrameSource(std::move(name)), producer_(std::move(producer)), info_(std::move(info)) {}

bool CallbackSource::Grab(Frame* frame) {
  std::string failure;
  if (producer_(frame, &failure)) return true;
  return failure.empty() ? EndOfStream() : Fail(std::move(failure));
}

DeviceSource::DeviceSource(std::string name, std::string device, SourceOptions options)
    : FrameSource(std::move(name)), device_(std::move(device)), options_(std::move(options)) {
  device_path_ = AllDigits(device_) ? "/dev/video" + device_ : device_;
}

bool DeviceSource::Open() {
  const std::string not_there =
      "cannot open device " + device_path_ + "; check it is connected (ls /dev/video*)";
  std::error_code ec;
  if (!std::filesystem::exists(device_path_, ec)) return Fail(not_there);
  {
    QuietOpenCvLog quiet;
    bool opened = false;
    try {
      opened = AllDigits(device_) ? capture_.open(std::stoi(device_), cv::CAP_V4L2)
                                  : capture_.open(device_path_, cv::CAP_V4L2);
    } catch (const cv::Exception& e) {
      return Fail(not_there + " (" + e.err + ")");
    }
    if (!opened || !capture_.isOpened()) {
      return Fail("cannot open device " + device_path_ +
                  "; check it is connected and not used by another program (ls /dev/video*)");
    }
  }
  // The format goes first: the sizes and rates a driver accepts depend on it.
  if (options_.fourcc.size() == 4) {
    const std::string& f = options_.fourcc;
    capture_.set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc(f[0], f[1], f[2], f[3]));
  }
  if (options_.size.area() > 0) {
    capture_.set(cv::CAP_PROP_FRAME_WIDTH, options_.size.width);
    capture_.set(cv::CAP_PROP_FRAME_HEIGHT, options_.size.height);
  }
  if (options_.fps > 0) capture_.set(cv::CAP_PROP_FPS, options_.fps);
  if (options_.exposure > 0) {
    capture_.set(cv::CAP_PROP_AUTO_EXPOSURE, 1);  // V4L2: 1 = manual, 3 = aperture priority
    capture_.set(cv::CAP_PROP_EXPOSURE, options_.exposure);
  }
  size_ = cv::Size(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH)),
                   static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT)));
  fps_ = capture_.get(cv::CAP_PROP_FPS);
  if (options_.size.area() > 0 && size_ != options_.size) {
    const std::string got = SizeText(size_);
    capture_.release();
    return Fail("device " + device_path_ + " gives " + got + " images, not the requested " +
                SizeText(options_.size) +
                "; pick a size it supports (v4l2-ctl --list-formats-ext)");
  }
  next_index_ = 0;
  driver_clock_offset_s_.reset();
  return true;
}

bool DeviceSource::Grab(Frame* frame) {
  if (!capture_.isOpened()) return Fail("device " + device_path_ + " is not open");
  if (!capture_.grab()) {
    return Fail("device " + device_path_ + " stopped delivering frames; check the cable");
  }
  const double host_s = SteadyClockSeconds();
  cv::Mat image;
  if (!capture_.retrieve(image) || image.empty()) {
    return Fail("device " + device_path_ + " delivered a frame that cannot be decoded");
  }
  frame->image = ToGrayIfAsked(image, options_.grayscale);
  frame->index = next_index_++;
  const double driver_ms = capture_.get(cv::CAP_PROP_POS_MSEC);
  if (driver_ms > 0) {
    // V4L2 stamps buffers with CLOCK_MONOTONIC, which is our steady clock; a
    // driver on another clock keeps its precise spacing, shifted once onto ours.
    if (!driver_clock_offset_s_) {
      const double offset = host_s - driver_ms / 1e3;
      driver_clock_offset_s_ = std::abs(offset) < 1.0 ? 0.0 : offset;
    }
    frame->timestamp_s = driver_ms / 1e3 + *driver_clock_offset_s_;
    frame->hardware_timestamp = true;
  } else {
    frame->timestamp_s = host_s;
    frame->hardware_timestamp = false;
  }
  return true;
}

}  // namespace hl
