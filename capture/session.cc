#include "capture/session.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <functional>
#include <system_error>

#include <opencv2/core.hpp>

#include "capture/media_source.h"
#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxYamlBytes = uint64_t{1} << 20;

void MakeFolder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error(dir.string(), "cannot create the folder: " + (ec ? ec.message() : "not a folder") +
                                  "; check the path and permissions");
  }
}

std::string Dump(const std::function<void(cv::FileStorage&)>& write) {
  cv::FileStorage fs(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
  write(fs);
  return fs.releaseAndGetString();
}

// Opens a YAML file and hands its root to `read`; any OpenCV complaint becomes
// an hl::Error naming the file.
template <typename Fn>
void Load(const fs::path& path, Fn read) {
  const std::string text = ReadFileText(path, kMaxYamlBytes);
  try {
    cv::FileStorage fs(
        text, cv::FileStorage::READ | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_YAML);
    if (!fs.isOpened()) throw Error(path.string(), "not a YAML file");
    read(fs.root());
  } catch (const cv::Exception& e) {
    throw Error(path.string(), "malformed YAML (" + e.err + ")");
  }
}

std::string Text(const cv::FileNode& root, const char* key, const fs::path& path, bool required) {
  const cv::FileNode n = root[key];
  if (n.empty() || n.isNone()) {
    if (required) throw Error(path.string(), std::string("missing '") + key + "'");
    return "";
  }
  if (!n.isString()) throw Error(path.string(), std::string("'") + key + "' must be text");
  return n.string();
}

}  // namespace

bool IsValidName(const std::string& name) {
  if (name.empty() || name.size() > 100 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string UtcTimestampNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void WriteSession(const fs::path& session_dir, const SessionInfo& info) {
  MakeFolder(session_dir);
  WriteFileAtomic(session_dir / "session.yml", Dump([&](cv::FileStorage& fs) {
                    fs << "format" << kSessionFormat;
                    fs << "subject" << info.subject;
                    fs << "date" << info.date;
                    fs << "rig" << info.rig_file;
                    fs << "markers" << info.markers_file;
                  }));
}

SessionInfo ReadSession(const fs::path& session_dir) {
  const fs::path path = session_dir / "session.yml";
  SessionInfo info;
  Load(path, [&](const cv::FileNode& root) {
    const std::string format = Text(root, "format", path, true);
    if (format != kSessionFormat) {
      throw Error(path.string(), "format is '" + format + "', expected '" + kSessionFormat + "'");
    }
    info.subject = Text(root, "subject", path, false);
    info.date = Text(root, "date", path, false);
    info.rig_file = Text(root, "rig", path, false);
    info.markers_file = Text(root, "markers", path, false);
  });
  return info;
}

bool IsSessionFolder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "session.yml", ec);
}

std::vector<std::string> ListTakes(const fs::path& session_dir) {
  std::error_code ec;
  if (!fs::is_directory(session_dir, ec)) {
    throw Error(session_dir.string(), "no such session folder; check the path");
  }
  std::vector<std::string> takes;
  for (fs::directory_iterator it(session_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && fs::is_regular_file(it->path() / "take.yml", ec)) {
      takes.push_back(it->path().filename().string());
    }
  }
  std::sort(takes.begin(), takes.end(), NaturalLess);
  return takes;
}

void WriteTake(const fs::path& take_dir, const TakeInfo& info) {
  MakeFolder(take_dir);
  WriteFileAtomic(take_dir / "take.yml", Dump([&](cv::FileStorage& fs) {
                    fs << "format" << kTakeFormat;
                    fs << "kind" << info.kind;
                    fs << "drill" << info.drill;
                    fs << "fps" << info.fps;
                    fs << "cameras"
                       << "[";
                    for (const auto& c : info.cameras) fs << c;
                    fs << "]";
                    fs << "media" << info.media;
                    fs << "start_time" << info.start_time;
                    fs << "end_time" << info.end_time;
                    fs << "status" << info.status;
                    // FileStorage has no 64-bit integer; a double holds any count exactly.
                    fs << "frame_sets" << static_cast<double>(info.frame_sets);
                  }));
}

TakeInfo ReadTake(const fs::path& take_dir) {
  const fs::path path = take_dir / "take.yml";
  TakeInfo info;
  Load(path, [&](const cv::FileNode& root) {
    info.kind = Text(root, "kind", path, true);
    if (info.kind != "calibration" && info.kind != "static" && info.kind != "drill") {
      throw Error(path.string(),
                  "kind is '" + info.kind + "'; expected calibration, static or drill");
    }
    info.drill = Text(root, "drill", path, false);
    const cv::FileNode fps = root["fps"];
    if (!fps.isReal() && !fps.isInt()) throw Error(path.string(), "missing or non-numeric 'fps'");
    info.fps = fps.real();
    if (!(info.fps >= 0) || !std::isfinite(info.fps)) {
      throw Error(path.string(), "'fps' must be a positive number");
    }
    const cv::FileNode cams = root["cameras"];
    if (!cams.isSeq()) throw Error(path.string(), "'cameras' must be a list of names");
    info.cameras.clear();
    for (const auto& c : cams) {
      if (!c.isString() || !IsValidName(c.string())) {
        throw Error(path.string(), "'cameras' holds an entry that is not a valid camera name");
      }
      info.cameras.push_back(c.string());
    }
    info.media = Text(root, "media", path, false);
    if (info.media.empty()) info.media = "png";
    info.start_time = Text(root, "start_time", path, false);
    info.end_time = Text(root, "end_time", path, false);
    info.status = Text(root, "status", path, false);
    const cv::FileNode sets = root["frame_sets"];
    if (sets.isReal() || sets.isInt()) {
      const double v = sets.real();
      info.frame_sets = (v >= 0 && v < 1e15) ? static_cast<int64_t>(v) : 0;
    }
  });
  return info;
}

}  // namespace hl
