#include "capture/media_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <system_error>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxTimestampsBytes = uint64_t{256} << 20;

std::string SizeText(cv::Size s) {
  return std::to_string(s.width) + "x" + std::to_string(s.height);
}

bool IsImageFile(const fs::path& p) {
  static const std::set<std::string> kExtensions = {"png",  "jpg", "jpeg", "bmp", "tif",
                                                    "tiff", "pgm", "ppm",  "pbm", "webp"};
  const std::string name = p.filename().string();
  return !name.empty() && name[0] != '.' && kExtensions.count(LowerExtension(p)) > 0;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// The printf pattern split around its single integer conversion.
struct Pattern {
  std::string prefix;
  std::string suffix;
  int width = 0;  // %0Nd: exactly N digits; %d: any number
};

std::optional<Pattern> ParsePattern(const std::string& file_pattern, std::string* why) {
  const size_t pct = file_pattern.find('%');
  if (pct == std::string::npos) {
    *why = "has no %d conversion";
    return std::nullopt;
  }
  size_t i = pct + 1;
  bool zero = false;
  if (i < file_pattern.size() && file_pattern[i] == '0') {
    zero = true;
    ++i;
  }
  int width = 0;
  while (i < file_pattern.size() && std::isdigit(static_cast<unsigned char>(file_pattern[i]))) {
    width = width * 10 + (file_pattern[i] - '0');
    if (width > 18) break;
    ++i;
  }
  if (i >= file_pattern.size() || (file_pattern[i] != 'd' && file_pattern[i] != 'u') ||
      width > 18) {
    *why = "must use one integer conversion such as %06d or %d";
    return std::nullopt;
  }
  Pattern p{file_pattern.substr(0, pct), file_pattern.substr(i + 1), zero ? width : 0};
  if (p.suffix.find('%') != std::string::npos) {
    *why = "must hold exactly one % conversion";
    return std::nullopt;
  }
  return p;
}

// Reads timestamps for `media` when the file exists; a malformed file is an
// error naming the camera, since frames would otherwise be mistimed silently.
bool LoadTimestamps(const fs::path& media, const std::string& camera,
                    std::vector<TimestampRow>* rows, std::string* failure) {
  auto csv = FindTimestampsCsv(media, camera);
  if (!csv) return true;
  try {
    *rows = ReadTimestampsCsv(*csv);
  } catch (const Error& e) {
    *failure = e.what();
    return false;
  }
  return true;
}

}  // namespace

bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      size_t iz = i, jz = j;  // skip leading zeros so values compare by length then digits
      while (iz + 1 < ie && a[iz] == '0') ++iz;
      while (jz + 1 < je && b[jz] == '0') ++jz;
      if (ie - iz != je - jz) return ie - iz < je - jz;
      const int c = a.compare(iz, ie - iz, b, jz, je - jz);
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<TimestampRow> ParseTimestampsCsv(std::string_view text,
                                             const std::string& source_name) {
  std::vector<TimestampRow> rows;
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < text.size()) {
    const size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) break;  // a partial last line: the writer was cut short
    ++line_no;
    const std::string line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty()) continue;
    if (line_no == 1 && !std::isdigit(static_cast<unsigned char>(line[0])) && line[0] != '-') {
      if (line.rfind("frame", 0) != 0) {
        throw Error(source_name, "line 1: expected the header 'frame,timestamp_s'");
      }
      continue;
    }
    const size_t comma = line.find(',');
    TimestampRow row;
    bool ok = comma != std::string::npos;
    if (ok) {
      const std::string a = Trim(std::string_view(line).substr(0, comma));
      const std::string b = Trim(std::string_view(line).substr(comma + 1));
      auto ra = std::from_chars(a.data(), a.data() + a.size(), row.frame);
      auto rb = std::from_chars(b.data(), b.data() + b.size(), row.timestamp_s);
      ok = !a.empty() && !b.empty() && ra.ec == std::errc() && ra.ptr == a.data() + a.size() &&
           rb.ec == std::errc() && rb.ptr == b.data() + b.size() && std::isfinite(row.timestamp_s);
    }
    if (!ok) {
      throw Error(source_name,
                  "line " + std::to_string(line_no) +
                      ": expected 'frame,timestamp_s' (an integer and a number), got '" +
                      line.substr(0, 60) + "'");
    }
    if (!rows.empty() && row.frame <= rows.back().frame) {
      throw Error(source_name, "line " + std::to_string(line_no) + ": frame " +
                                   std::to_string(row.frame) + " does not follow frame " +
                                   std::to_string(rows.back().frame) +
                                   "; frame numbers must increase");
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<TimestampRow> ReadTimestampsCsv(const fs::path& path) {
  return ParseTimestampsCsv(ReadFileText(path, kMaxTimestampsBytes), path.string());
}

std::optional<fs::path> FindTimestampsCsv(const fs::path& media_path, const std::string& camera) {
  fs::path media = media_path;
  if (media.filename().string().find('%') != std::string::npos) media = media.parent_path();
  if (media.filename().empty()) media = media.parent_path();  // "cam0/" -> "cam0"
  std::error_code ec;
  const fs::path dir = media.parent_path();
  std::vector<fs::path> candidates = {dir / (media.stem().string() + ".timestamps.csv")};
  if (!camera.empty()) candidates.push_back(dir / (camera + ".timestamps.csv"));
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c;
  }
  return std::nullopt;
}

ImageSequenceSource::ImageSequenceSource(std::string name, std::string folder_or_pattern,
                                         SourceOptions options)
    : FrameSource(std::move(name)),
      spec_(std::move(folder_or_pattern)),
      options_(std::move(options)) {}

bool ImageSequenceSource::ListFolder(const fs::path& folder) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsImageFile(it->path()) && it->is_regular_file(ec)) names.push_back(it->path().filename());
  }
  if (ec) return Fail("cannot list folder " + folder.string() + ": " + ec.message());
  if (names.empty()) {
    return Fail("folder " + folder.string() +
                " holds no images (png, jpg, bmp, tif, pgm, ppm, webp); check the path");
  }
  std::sort(names.begin(), names.end(), NaturalLess);
  for (const auto& n : names) files_.push_back(folder / n);
  return true;
}

bool ImageSequenceSource::ListPattern() {
  const fs::path pattern(spec_);
  fs::path folder = pattern.parent_path();
  if (folder.empty()) folder = ".";
  std::string why;
  const auto p = ParsePattern(pattern.filename().string(), &why);
  if (!p) return Fail("pattern " + spec_ + " " + why);
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Fail("folder " + folder.string() + " of pattern " + spec_ + " does not exist");
  }
  std::vector<std::pair<uint64_t, std::string>> numbered;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string n = it->path().filename().string();
    if (n.size() <= p->prefix.size() + p->suffix.size() || n.rfind(p->prefix, 0) != 0 ||
        n.compare(n.size() - p->suffix.size(), p->suffix.size(), p->suffix) != 0) {
      continue;
    }
    const std::string digits =
        n.substr(p->prefix.size(), n.size() - p->prefix.size() - p->suffix.size());
    if (digits.size() > 18 || (p->width > 0 && static_cast<int>(digits.size()) != p->width) ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    numbered.emplace_back(std::stoull(digits), n);
  }
  if (ec) return Fail("cannot list folder " + folder.string() + ": " + ec.message());
  if (numbered.empty()) return Fail("no file matches pattern " + spec_ + "; check the path");
  std::sort(numbered.begin(), numbered.end());
  for (const auto& [number, n] : numbered) files_.push_back(folder / n);
  return true;
}

bool ImageSequenceSource::Open() {
  files_.clear();
  timestamps_.clear();
  next_ = 0;
  std::error_code ec;
  const bool is_pattern = fs::path(spec_).filename().string().find('%') != std::string::npos;
  if (is_pattern) {
    if (!ListPattern()) return false;
  } else {
    if (!fs::exists(spec_, ec)) return Fail("no such folder " + spec_ + "; check the path");
    if (!fs::is_directory(spec_, ec)) return Fail(spec_ + " is not a folder of images");
    if (!ListFolder(spec_)) return false;
  }
  std::string failure;
  if (!LoadTimestamps(spec_, name(), &timestamps_, &failure)) return Fail(failure);
  has_timestamps_ = FindTimestampsCsv(spec_, name()).has_value();
  fps_ = options_.fps;
  if (has_timestamps_ && fps_ <= 0 && timestamps_.size() >= 2) {
    const double span = timestamps_.back().timestamp_s - timestamps_.front().timestamp_s;
    const double frames = static_cast<double>(timestamps_.back().frame - timestamps_.front().frame);
    if (span > 0) fps_ = frames / span;
  }
  first_image_ = cv::imread(files_[0].string(), cv::IMREAD_ANYCOLOR);
  if (first_image_.empty()) {
    return Fail("cannot read image " + files_[0].string() + "; it is damaged or not an image");
  }
  first_image_ = ToGrayIfAsked(first_image_, options_.grayscale);
  size_ = first_image_.size();
  return true;
}

std::optional<int64_t> ImageSequenceSource::FrameCount() const {
  if (files_.empty()) return std::nullopt;
  size_t n = files_.size();
  if (has_timestamps_) n = std::min(n, timestamps_.size());
  return static_cast<int64_t>(n);
}

bool ImageSequenceSource::Grab(Frame* frame) {
  if (files_.empty()) return Fail("source is not open");
  if (next_ >= files_.size() || (has_timestamps_ && next_ >= timestamps_.size())) {
    return EndOfStream();
  }
  const fs::path& file = files_[next_];
  cv::Mat image;
  if (next_ == 0 && !first_image_.empty()) {
    image = std::move(first_image_);
  } else {
    image = ToGrayIfAsked(cv::imread(file.string(), cv::IMREAD_ANYCOLOR), options_.grayscale);
  }
  if (image.empty()) {
    return Fail("cannot read image " + file.string() + "; it is damaged or not an image");
  }
  if (image.size() != size_) {
    return Fail("image " + file.string() + " is " + SizeText(image.size()) + " but " +
                files_[0].string() + " is " + SizeText(size_) +
                "; all images of a camera must have one size");
  }
  frame->image = std::move(image);
  if (has_timestamps_) {
    frame->index = timestamps_[next_].frame;
    frame->timestamp_s = timestamps_[next_].timestamp_s;
  } else {
    frame->index = static_cast<int64_t>(next_);
    frame->timestamp_s =
        fps_ > 0 ? static_cast<double>(next_) / fps_ : std::numeric_limits<double>::quiet_NaN();
  }
  frame->hardware_timestamp = false;
  ++next_;
  return true;
}

VideoFileSource::VideoFileSource(std::string name, std::string file, SourceOptions options)
    : FrameSource(std::move(name)), file_(std::move(file)), options_(std::move(options)) {}

bool VideoFileSource::Open() {
  timestamps_.clear();
  next_ = 0;
  std::error_code ec;
  if (!fs::exists(file_, ec)) return Fail("no such file or folder " + file_ + "; check the path");
  if (!fs::is_regular_file(file_, ec)) return Fail(file_ + " is not a video file");
  {
    const auto previous = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    // Not CAP_ANY: it ends with camera backends (gphoto2) that scan USB for
    // every file that FFmpeg cannot read, slowly and leaking.
    for (int api : {cv::CAP_FFMPEG, cv::CAP_OPENCV_MJPEG}) {
      try {
        if (capture_.open(file_, api)) break;
      } catch (const cv::Exception&) {
        capture_.release();
      }
    }
    cv::utils::logging::setLogLevel(previous);
  }
  if (!capture_.isOpened()) {
    return Fail("cannot open video " + file_ + "; it is damaged or in a format OpenCV cannot read");
  }
  std::string failure;
  if (!LoadTimestamps(file_, name(), &timestamps_, &failure)) return Fail(failure);
  has_timestamps_ = FindTimestampsCsv(file_, name()).has_value();
  fps_ = capture_.get(cv::CAP_PROP_FPS);
  if (!(fps_ > 0 && fps_ < 10000)) fps_ = options_.fps > 0 ? options_.fps : 0.0;
  size_ = cv::Size(static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH)),
                   static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT)));
  const double count = capture_.get(cv::CAP_PROP_FRAME_COUNT);
  frame_count_.reset();
  if (count > 0 && count < 1e9) {
    int64_t n = static_cast<int64_t>(count);
    if (has_timestamps_) n = std::min<int64_t>(n, static_cast<int64_t>(timestamps_.size()));
    frame_count_ = n;
  }
  return true;
}

bool VideoFileSource::Grab(Frame* frame) {
  if (!capture_.isOpened()) return Fail("video " + file_ + " is not open");
  if (has_timestamps_ && next_ >= static_cast<int64_t>(timestamps_.size())) return EndOfStream();
  cv::Mat image;
  if (!capture_.read(image) || image.empty()) return EndOfStream();
  frame->image = ToGrayIfAsked(image, options_.grayscale);
  if (has_timestamps_) {
    frame->index = timestamps_[static_cast<size_t>(next_)].frame;
    frame->timestamp_s = timestamps_[static_cast<size_t>(next_)].timestamp_s;
  } else {
    frame->index = next_;
    frame->timestamp_s =
        fps_ > 0 ? static_cast<double>(next_) / fps_ : std::numeric_limits<double>::quiet_NaN();
  }
  frame->hardware_timestamp = false;
  ++next_;
  return true;
}

std::unique_ptr<FrameSource> OpenMedia(const std::string& name, const std::string& path_or_device,
                                       const SourceOptions& options) {
  if (IsDeviceSpec(path_or_device)) {
    return std::make_unique<DeviceSource>(name, path_or_device, options);
  }
  std::error_code ec;
  const fs::path p(path_or_device);
  if (p.filename().string().find('%') != std::string::npos || fs::is_directory(p, ec)) {
    return std::make_unique<ImageSequenceSource>(name, path_or_device, options);
  }
  return std::make_unique<VideoFileSource>(name, path_or_device, options);
}

}  // namespace hl
