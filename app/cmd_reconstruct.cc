// hingelab reconstruct: 3D marker trajectories from synchronized media.
//
//   hingelab reconstruct --rig RIG --markers SET --camera NAME=PATH... -o OUT.c3d
//   hingelab reconstruct SESSION/<take>          (take.yml, the session's rig and markers)
//
// A camera that cannot be used (not in the rig, images of another size, another
// frame rate, media that will not open) is left out with a warning and the rest
// of the take is reconstructed; fewer than two usable cameras is an error.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/command.h"
#include "capture/media_source.h"
#include "capture/session.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/marker_set.h"
#include "core/recording.h"
#include "core/rig.h"
#include "reconstruction/pipeline.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

// Above any camera this reads (high-speed video tops out in the kHz); C3D
// stores the rate as a float.
constexpr double kMaxFps = 10000.0;

struct Job {
  fs::path rig_path, markers_path, output;
  std::vector<std::pair<std::string, std::string>> cameras;  // name, media path
  double fps = 0.0;                                           // 0: from the media
};

void Warn(const std::string& where, const std::string& what) {
  std::fprintf(stderr, "warning: %s: %s\n", where.c_str(), what.c_str());
}

std::string JoinIds(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

Job JobFromTake(const fs::path& take_arg) {
  const fs::path take_dir = take_arg.filename().empty() ? take_arg.parent_path() : take_arg;
  const fs::path session_dir = take_dir.parent_path().empty() ? fs::path(".") : take_dir.parent_path();
  std::error_code ec;
  if (!fs::exists(take_dir / "take.yml", ec)) {
    std::string takes;  // a session given for one of its takes: name them
    for (const auto& entry : fs::directory_iterator(take_dir, ec)) {
      if (fs::exists(entry.path() / "take.yml", ec)) {
        takes += (takes.empty() ? "" : ", ") + entry.path().filename().string();
      }
    }
    throw Error(take_dir.string(),
                takes.empty() ? "is not a take folder (it has no take.yml); give SESSION/<take>, or "
                                "--rig, --markers, --camera and -o"
                              : "is a session, not a take; give one of its takes: " + takes);
  }
  const SessionInfo session = ReadSession(session_dir);
  const TakeInfo take = ReadTake(take_dir);
  if (take.kind == "calibration") {
    throw Error((take_dir / "take.yml").string(),
                "is a calibration take; calibrate it with 'hingelab calibrate' instead");
  }
  if (take.cameras.empty()) throw Error((take_dir / "take.yml").string(), "lists no cameras");
  Job job;
  job.rig_path = session_dir / session.rig_file;
  job.markers_path = session_dir / session.markers_file;
  job.output = take_dir / "recording.c3d";
  job.fps = take.fps;
  for (const std::string& cam : take.cameras) {
    fs::path media = take_dir / cam;
    if (!fs::is_directory(media)) {
      for (const char* ext : {".mkv", ".avi", ".mp4"}) {
        if (fs::exists(take_dir / (cam + ext))) media = take_dir / (cam + ext);
      }
    }
    job.cameras.push_back({cam, media.string()});
  }
  return job;
}

struct Stream {
  std::unique_ptr<FrameSource> source;
  Camera camera;
  bool warned_size = false;
};

int RunReconstruct(const Args& args) {
  Job job;
  if (args.positional().size() == 1) {
    job = JobFromTake(args.positional()[0]);
    if (args.has("rig")) job.rig_path = args.value("rig");
    if (args.has("markers")) job.markers_path = args.value("markers");
    if (args.has("o")) job.output = args.value("o");
    if (args.has("camera")) throw UsageError("--camera is not used with a take folder (take.yml lists them)");
  } else {
    if (!args.has("rig")) throw UsageError("missing --rig RIG (or give a SESSION/<take> folder)");
    if (!args.has("markers")) throw UsageError("missing --markers SET");
    if (!args.has("o")) throw UsageError("missing -o OUT.c3d");
    if (!args.has("camera")) throw UsageError("give each camera's media with --camera NAME=PATH");
    job.rig_path = args.value("rig");
    job.markers_path = args.value("markers");
    job.output = args.value("o");
    std::set<std::string> names;
    for (const std::string& spec : args.values("camera")) {
      auto [name, path] = SplitNameValue(spec, "camera");
      if (!names.insert(name).second) throw UsageError("camera '" + name + "' given twice");
      job.cameras.push_back({name, path});
    }
  }
  if (args.has("fps")) {
    job.fps = args.number("fps", 0.0);
    if (!(job.fps > 0) || job.fps > kMaxFps) {
      throw UsageError("--fps must be above 0 and at most " + FormatDouble(kMaxFps) + ", got " +
                       args.value("fps"));
    }
  }
  for (const char* opt : {"csv", "trc"}) {
    if (args.has(opt) && LowerExtension(args.value(opt)) != opt) {
      throw UsageError(std::string("--") + opt + " needs a ." + opt + " file name");
    }
  }
  const std::string ext = LowerExtension(job.output);
  if (ext != "c3d" && ext != "trc" && ext != "csv") {
    throw Error(job.output.string(), "unknown recording format; use .c3d, .trc or .csv");
  }
  const double lowpass_hz = args.number("lowpass-hz", 0.0);
  if (args.has("lowpass-hz") && !(lowpass_hz > 0)) throw UsageError("--lowpass-hz must be positive");
  // Every output's folder is tried before the frames are read: a long
  // reconstruction should not end in "cannot write", nor replace -o and then
  // fail on --csv.
  std::vector<fs::path> outputs = {job.output};
  for (const char* opt : {"csv", "trc"}) {
    if (args.has(opt)) outputs.emplace_back(args.value(opt));
  }
  for (const fs::path& out : outputs) CheckWritable(out);

  const Rig rig = ReadRig(job.rig_path);
  const MarkerSet set = ReadMarkerSet(job.markers_path);
  const std::string set_yaml = ReadFileText(job.markers_path);
  const auto start = std::chrono::steady_clock::now();

  // Open every camera; leave out (with a warning) those that cannot be used.
  std::vector<Stream> streams;
  for (const auto& [name, path] : job.cameras) {
    const Camera* cam = rig.Find(name);
    if (cam == nullptr) {
      std::string names;
      for (const Camera& c : rig.cameras) names += (names.empty() ? "" : ", ") + c.name;
      Warn(name, "not in the rig " + job.rig_path.string() + " (its cameras: " + names +
                     "); left out. Use the rig's camera names");
      continue;
    }
    SourceOptions options;
    options.fps = job.fps;
    options.grayscale = true;
    Stream s;
    s.source = OpenMedia(name, path, options);
    if (!s.source->Open()) {
      Warn(name, "cannot open " + path + ": " + s.source->failure() + "; left out");
      continue;
    }
    const cv::Size size = s.source->size();
    if (size.width != cam->width || size.height != cam->height) {
      Warn(name, "images are " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                     " but the rig calibrated this camera at " + std::to_string(cam->width) + "x" +
                     std::to_string(cam->height) + "; left out. Use the calibrated resolution or recalibrate");
      continue;
    }
    s.camera = *cam;
    streams.push_back(std::move(s));
  }
  // One frame rate: --fps (or take.yml), else the first camera that knows its own.
  double fps = job.fps;
  if (!(fps > 0)) {
    for (const auto& s : streams) {
      if (s.source->fps() > 0) {
        fps = s.source->fps();
        break;
      }
    }
  }
  if (!(fps > 0) && !streams.empty()) {
    throw UsageError("the media carry no frame rate (image folders); give it with --fps F");
  }
  if (lowpass_hz > 0 && !(lowpass_hz < 0.5 * fps)) {
    throw UsageError("--lowpass-hz " + FormatDouble(lowpass_hz) +
                     " must be below half the frame rate (" + FormatDouble(0.5 * fps) + " Hz)");
  }
  for (size_t i = 0; i < streams.size();) {
    const double f = streams[i].source->fps();
    if (f > 0 && std::abs(f - fps) > 1e-3 * fps) {
      Warn(streams[i].source->name(), "runs at " + FormatDouble(f) + " fps, the take at " +
                                          FormatDouble(fps) + "; left out (frames would not be simultaneous)");
      streams.erase(streams.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  if (streams.size() < 2) {
    throw Error(job.rig_path.string(), "only " + std::to_string(streams.size()) +
                                           " usable camera(s); 3D reconstruction needs at least 2 "
                                           "(see the warnings above)");
  }
  // Different lengths: the frame sets all cameras have.
  int64_t frames = -1, longest = -1;
  for (const auto& s : streams) {
    if (auto n = s.source->FrameCount()) {
      frames = frames < 0 ? *n : std::min(frames, *n);
      longest = std::max(longest, *n);
    }
  }
  for (const auto& s : streams) {
    const auto n = s.source->FrameCount();
    if (n && *n == frames && frames < longest) {
      Warn(s.source->name(), "has " + std::to_string(*n) + " frames, other cameras up to " +
                                 std::to_string(longest) + "; reconstructing the first " +
                                 std::to_string(frames) + " frame sets");
    }
  }

  std::vector<Camera> cameras;
  for (const auto& s : streams) cameras.push_back(s.camera);
  ReconstructionOptions options;
  options.lowpass_cutoff_hz = lowpass_hz;
  Reconstructor reconstructor(cameras, set, options);
  const bool progress = StderrIsTerminal();
  std::vector<cv::Mat> images(streams.size());
  for (int64_t f = 0; frames < 0 || f < frames; ++f) {
    bool ended = false;
    for (size_t c = 0; c < streams.size(); ++c) {
      Frame frame;
      if (!streams[c].source->GrabOrThrow(&frame)) {
        if (frames >= 0) {
          Warn(streams[c].source->name(), "ended after " + std::to_string(f) + " frames");
        }
        ended = true;
        break;
      }
      const Camera& cam = streams[c].camera;
      if (frame.image.cols != cam.width || frame.image.rows != cam.height) {
        if (!streams[c].warned_size) {
          Warn(cam.name, "frame " + std::to_string(f) + " is " + std::to_string(frame.image.cols) + "x" +
                             std::to_string(frame.image.rows) + ", not the calibrated size; such frames are skipped");
          streams[c].warned_size = true;
        }
        frame.image.release();
      }
      images[c] = frame.image;
    }
    if (ended) break;
    reconstructor.AddFrameSet(images);
    if (progress && f % 10 == 0) {
      std::fprintf(stderr, "\rreconstructing: frame %lld", static_cast<long long>(f));
      if (frames > 0) std::fprintf(stderr, " of %lld", static_cast<long long>(frames));
    }
  }
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (reconstructor.num_frames() == 0) throw Error(job.cameras.front().second, "holds no frames");

  ReconstructionSummary summary;
  Recording rec;
  rec.points = reconstructor.Finish(fps, &summary);
  if (!(summary.reconstructed_fraction > 0)) {
    // Nothing to write: an empty recording would read as a take that was fine.
    std::string seen;
    if (!summary.unknown_marker_ids.empty()) {
      seen = " (ids " + JoinIds(summary.unknown_marker_ids) + " were seen, none in the set)";
    }
    throw Error(job.markers_path.string(),
                "no marker of this marker set was reconstructed in any frame" + seen +
                    "; check its dictionary and ids against the printed markers, and that the rig "
                    "is this studio's calibration");
  }
  rec.marker_set_yaml = set_yaml;
  WriteRecording(job.output, rec);
  if (args.has("csv")) WriteRecording(args.value("csv"), rec);
  if (args.has("trc")) WriteRecording(args.value("trc"), rec);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double fps_processed = seconds > 0 ? summary.frames / seconds : 0.0;

  if (!summary.unknown_marker_ids.empty()) {
    Warn(job.markers_path.string(), "marker ids " + JoinIds(summary.unknown_marker_ids) +
                                        " were seen but are not in the marker set; ignored");
  }
  if (summary.duplicate_detections > 0) {
    Warn(job.markers_path.string(),
         std::to_string(summary.duplicate_detections) +
             " detections of an id seen twice in one image were excluded (a marker printed twice, "
             "or another marker misread as it); if one id recurs, check it is printed only once");
  }
  if (args.has("json")) {
    Json j = Json::MakeObject();
    j["frames"] = summary.frames;
    j["labels"] = Json::ArrayOf(summary.labels);
    j["reconstructed_fraction"] = summary.reconstructed_fraction;
    j["median_residual_px"] = summary.median_residual_px >= 0 ? Json(summary.median_residual_px) : Json(nullptr);
    j["unknown_marker_ids"] = Json::ArrayOf(summary.unknown_marker_ids);
    j["duplicate_detections"] = summary.duplicate_detections;
    j["fps_processed"] = fps_processed;
    std::printf("%s\n", j.Dump().c_str());
  } else {
    std::printf("wrote %s: %zu markers x %d frames at %s Hz, %.1f %% reconstructed, median "
                "residual %.3f px, %zu cameras, %.1f frame sets/s\n",
                job.output.string().c_str(), summary.labels.size(), summary.frames,
                FormatDouble(fps).c_str(), 100.0 * summary.reconstructed_fraction,
                summary.median_residual_px, cameras.size(), fps_processed);
  }
  return 0;
}

HL_REGISTER_COMMAND(
    reconstruct_command,
    {"reconstruct",
     "3D marker trajectories (M<id>, metres) from synchronized media: ArUco detection with "
     "tracking, triangulation, Ceres rigid-body refinement per segment, gap filling",
     "--rig RIG --markers SET --camera NAME=PATH... -o OUT.c3d [--csv F] [--trc F] [--fps F] "
     "[--json]   or   SESSION/<take> [-o OUT.c3d]",
     {{"rig", true, "rig file (.yml or .toml)"},
      {"markers", true, "marker set (YAML)"},
      {"camera", true, "NAME=PATH: a video, an image folder or a printf pattern (repeat per camera)"},
      {"o", true, "output recording (.c3d; .trc and .csv also work); a take writes recording.c3d"},
      {"csv", true, "also write the long CSV"},
      {"trc", true, "also write TRC"},
      {"fps", true, "frame rate of image folders (videos carry their own)"},
      {"lowpass-hz", true, "zero-lag Butterworth low-pass cutoff (Hz); off by default"},
      {"json", false, "print one JSON object"}},
     RunReconstruct, 1});

}  // namespace
}  // namespace hl::app
