// hingelab capture --camera NAME=DEVICE... -o SESSION: records synchronized
// frame sets from cameras (or, for rehearsal, from videos and image folders)
// into a take of a session folder.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "app/command.h"
#include "capture/media_source.h"
#include "capture/recorder.h"
#include "capture/session.h"
#include "capture/synchronizer.h"
#include "core/error.h"
#include "core/json.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted = true; }

// Ctrl-C ends the take cleanly (take.yml complete) instead of killing it.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = false;
    previous_ = std::signal(SIGINT, OnInterrupt);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous_); }

 private:
  void (*previous_)(int) = SIG_DFL;
};

cv::Size ParseSize(const std::string& text) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') ||
      w <= 0 || h <= 0 || w > 16384 || h > 16384) {
    throw UsageError("--size expects WxH such as 1280x720, got '" + text + "'");
  }
  return {w, h};
}

std::string NextTakeName(const fs::path& session) {
  std::set<std::string> used;
  std::error_code ec;
  if (fs::is_directory(session, ec)) {
    for (fs::directory_iterator it(session, ec), end; !ec && it != end; it.increment(ec)) {
      used.insert(it->path().filename().string());
    }
  }
  for (int i = 1;; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "take_%03d", i);
    if (!used.count(name)) return name;
  }
}

int RunCapture(const Args& args) {
  const std::vector<std::string> camera_args = args.values("camera");
  if (camera_args.empty()) throw UsageError("capture needs at least one --camera NAME=DEVICE");
  const fs::path session = args.value("o");
  SourceOptions source_options;
  source_options.fps = args.number("fps", 30.0);
  if (!(source_options.fps > 0 && source_options.fps <= 1000)) {
    throw UsageError("--fps must be between 0 and 1000");
  }
  if (args.has("size")) source_options.size = ParseSize(args.value("size"));
  source_options.exposure = args.number("exposure", 0.0);
  const double duration_s = args.number("duration", 0.0);
  if (!(duration_s >= 0)) throw UsageError("--duration must be >= 0 seconds");
  MediaFormat format = MediaFormat::kPng;
  try {
    format = ParseMediaFormat(args.value_or("format", "png"), "--format");
  } catch (const Error& e) {
    throw UsageError(e.message());
  }
  TakeInfo info;
  info.kind = args.value_or("kind", "drill");
  if (info.kind != "calibration" && info.kind != "static" && info.kind != "drill") {
    throw UsageError("--kind must be calibration, static or drill");
  }
  info.drill = args.value_or("drill", "");
  const std::string take = args.has("take") ? args.value("take") : NextTakeName(session);
  if (!IsValidName(take)) {
    throw UsageError("--take must be letters, digits, '_', '-' or '.', got '" + take + "'");
  }

  std::vector<std::unique_ptr<FrameSource>> sources;
  std::set<std::string> names;
  for (const auto& text : camera_args) {
    const auto [name, device] = SplitNameValue(text, "camera");
    if (!IsValidName(name)) {
      throw UsageError("camera name '" + name + "' must be letters, digits, '_', '-' or '.'");
    }
    if (!names.insert(name).second) throw UsageError("camera '" + name + "' given twice");
    sources.push_back(OpenMedia(name, device, source_options));
  }

  SyncOptions sync_options;
  sync_options.fps = source_options.fps;
  Synchronizer sync(std::move(sources), sync_options);
  sync.Start();  // opens every camera before anything is written

  if (!IsSessionFolder(session)) {
    SessionInfo s;
    s.date = UtcTimestampNow().substr(0, 10);
    WriteSession(session, s);
  }
  info.fps = sync.fps();
  info.cameras = sync.camera_names();
  RecorderOptions recorder_options;
  recorder_options.format = format;
  Recorder recorder(session / take, info, recorder_options);

  const bool progress = StderrIsTerminal();
  InterruptGuard interrupt;
  FrameSet set;
  double first_s = 0.0;
  int64_t incomplete = 0;
  double last_progress_s = -1.0;
  while (!g_interrupted && sync.Next(&set)) {
    if (recorder.sets_written() == 0) first_s = set.timestamp_s;
    const double elapsed_s = set.timestamp_s - first_s;
    if (duration_s > 0 && elapsed_s >= duration_s) break;
    recorder.Write(set);
    if (!set.complete()) ++incomplete;
    if (progress && elapsed_s - last_progress_s >= 0.25) {
      last_progress_s = elapsed_s;
      std::fprintf(stderr, "\rrecording %s: %.1f s, %lld frame sets, %lld incomplete   ",
                   take.c_str(), elapsed_s, static_cast<long long>(recorder.sets_written()),
                   static_cast<long long>(incomplete));
    }
  }
  if (progress) std::fprintf(stderr, "\n");
  sync.Stop();
  recorder.Finish();
  const SyncReport report = sync.report();
  for (const auto& line : report.Anomalies()) std::fprintf(stderr, "warning: %s\n", line.c_str());
  if (recorder.sets_written() == 0) {
    const auto& cam = report.cameras.front();
    throw Error(cam.name,
                "no frame was recorded" +
                    (cam.end_reason.empty() ? std::string() : " (" + cam.end_reason + ")") +
                    "; check the cameras deliver images");
  }
  if (args.has("json")) {
    Json j = Json::MakeObject();
    j["session"] = session.string();
    j["take"] = take;
    j["path"] = (session / take).string();
    j["format"] = MediaFormatName(format);
    j["fps"] = info.fps;
    j["frame_sets"] = recorder.sets_written();
    j["interrupted"] = g_interrupted.load();
    j["sync"] = report.ToJson();
    std::printf("%s\n", j.Dump().c_str());
  } else {
    std::printf("recorded %s: %lld frame sets at %s fps (%s)\n%s", (session / take).c_str(),
                static_cast<long long>(recorder.sets_written()), FormatDouble(info.fps).c_str(),
                MediaFormatName(format).c_str(), report.Summary().c_str());
  }
  return 0;
}

HL_REGISTER_COMMAND(capture_command,
                    {"capture",
                     "record synchronized frame sets from cameras into a session take",
                     "--camera NAME=DEVICE... -o SESSION [--take NAME] [--duration S] [--fps F] "
                     "[--size WxH] [--format png|mjpg|ffv1]",
                     {{"camera", true,
                       "NAME=DEVICE: a V4L2 index (0) or path (/dev/video0); a video, image "
                       "folder or pattern replays recorded media"},
                      {"o", true, "the session folder (created with session.yml when new)"},
                      {"take", true, "take folder name (default: the next free take_NNN)"},
                      {"duration", true, "seconds to record (default: until Ctrl-C)"},
                      {"fps", true, "frame rate asked of the cameras (default 30)"},
                      {"size", true, "resolution asked of the cameras, WxH"},
                      {"exposure", true, "manual exposure in driver units (default: auto)"},
                      {"format", true, "png (lossless images, default), mjpg or ffv1 (video)"},
                      {"kind", true, "calibration, static or drill (default drill)"},
                      {"drill", true, "the drill id of a drill take"},
                      {"json", false, "print one JSON object"}},
                     RunCapture,
                     0});

}  // namespace
}  // namespace hl::app
