// hingelab calibrate: intrinsics of one camera, or a whole rig, from board views.
//
// Each camera's media is read once; the board is detected in every frame (in
// every k-th frame of a long video, the same frames for all cameras so views
// still pair up by frame index). Intrinsics come per camera; with several
// cameras the rig extrinsics are bundle adjusted from the frames in which
// two or more cameras saw the board. --floor moves the result onto the floor
// board's frame; without it camera 0 defines the world and the output says so.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/command.h"
#include "calibration/board.h"
#include "calibration/intrinsics.h"
#include "calibration/rig_calibration.h"
#include "calibration/world_frame.h"
#include "capture/media_source.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/rig.h"

namespace hl::app {
namespace {

// Above this the fit is not a calibration of the board given (measured: 0.02 px
// on rendered boards, 0.15 px on OpenCV's real tutorial photos, 44 px with the
// 5x7 board given as 7x5).
constexpr double kMaxPlausibleRmsPx = 3.0;

// Board detection is the slow part; a long video is sampled down to this.
constexpr int64_t kMaxDetectedFrames = 600;

struct CameraInput {
  std::string name;
  std::string path;
  cv::Size size{0, 0};
  std::map<int64_t, BoardView> views;  // by frame index
  int frames = 0;
};

std::vector<std::pair<std::string, std::string>> NamedPaths(const Args& args,
                                                            const std::string& option,
                                                            bool with_positional) {
  std::vector<std::string> items = args.values(option);
  if (with_positional) {
    for (const auto& p : args.positional()) items.push_back(p);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : items) {
    auto named = SplitNameValue(item, "--" + option);
    if (named.first.empty() || named.second.empty()) {
      throw UsageError("--" + option + " '" + item + "' must be NAME=PATH");
    }
    for (const auto& o : out) {
      if (o.first == named.first) throw UsageError("camera '" + named.first + "' given twice");
    }
    out.push_back(std::move(named));
  }
  return out;
}

int64_t Stride(const std::vector<std::unique_ptr<FrameSource>>& sources) {
  int64_t most = 0;
  for (const auto& s : sources) most = std::max<int64_t>(most, s->FrameCount().value_or(0));
  return std::max<int64_t>(1, (most + kMaxDetectedFrames - 1) / kMaxDetectedFrames);
}

// Detects the board in every `stride`-th frame of each camera's media.
std::vector<CameraInput> DetectAll(const Board& board,
                                   const std::vector<std::pair<std::string, std::string>>& named,
                                   const BoardDetectionOptions& options, bool progress) {
  std::vector<std::unique_ptr<FrameSource>> sources;
  for (const auto& [name, path] : named) {
    sources.push_back(OpenMedia(name, path));
    sources.back()->OpenOrThrow();
  }
  const int64_t stride = Stride(sources);
  std::vector<CameraInput> out;
  for (size_t c = 0; c < sources.size(); ++c) {
    FrameSource& source = *sources[c];
    CameraInput in;
    in.name = named[c].first;
    in.path = named[c].second;
    Frame frame;
    int64_t position = 0;
    while (source.GrabOrThrow(&frame)) {
      const int64_t pos = position++;
      if (frame.image.empty())
        throw Error(in.name, in.path + ": frame " + std::to_string(pos) + " is empty");
      if (in.size.width == 0) {
        in.size = frame.image.size();
      } else if (frame.image.size() != in.size) {
        throw Error(in.name, in.path + ": frame " + std::to_string(pos) + " is " +
                                 std::to_string(frame.image.cols) + "x" +
                                 std::to_string(frame.image.rows) + " but the first is " +
                                 std::to_string(in.size.width) + "x" +
                                 std::to_string(in.size.height) +
                                 ": one camera's images must all have one size");
      }
      ++in.frames;
      if (frame.index % stride != 0) continue;
      in.views[frame.index] = board.Detect(frame.image, options);
      if (progress) {
        std::fprintf(stderr, "\r%s: %d frames read", in.name.c_str(), in.frames);
      }
    }
    if (progress) std::fprintf(stderr, "\n");
    if (in.frames == 0) throw Error(in.name, in.path + ": no frames: check the path");
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<BoardView> ViewList(const CameraInput& in, std::vector<int64_t>* frames) {
  std::vector<BoardView> out;
  for (const auto& [index, view] : in.views) {
    out.push_back(view);
    if (frames) frames->push_back(index);
  }
  return out;
}

Json Vec(const Eigen::Vector3d& v) {
  Json a = Json::MakeArray();
  for (int i = 0; i < 3; ++i) a.push_back(v[i]);
  return a;
}

int RunCalibrate(const Args& args) {
  const Board board(ParseBoardSpec(args.value("board")));
  const auto images = NamedPaths(args, "images", /*with_positional=*/true);
  if (images.empty()) throw UsageError("give at least one --images NAME=PATH");
  const std::string out_path = args.value("o");
  const std::string ext = LowerExtension(out_path);
  if (ext != "yml" && ext != "yaml" && ext != "toml") {
    throw UsageError("-o '" + out_path + "' must end in .yml, .yaml or .toml");
  }
  // Fail before the long work, not after it.
  const std::filesystem::path parent = std::filesystem::path(out_path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw Error(out_path, "the folder " + parent.string() + " does not exist; create it first");
  }
  const auto floors = NamedPaths(args, "floor", /*with_positional=*/false);
  const bool json = args.has("json");
  const bool progress = !json && StderrIsTerminal();

  IntrinsicsOptions intrinsics_options;
  intrinsics_options.max_views = static_cast<int>(args.number("max-views", 40));
  if (intrinsics_options.max_views < intrinsics_options.min_views ||
      intrinsics_options.max_views > 1000) {
    throw UsageError("--max-views must be between 3 and 1000");
  }
  const BoardDetectionOptions detection;
  const std::vector<CameraInput> inputs = DetectAll(board, images, detection, progress);

  std::vector<std::string> warnings;
  std::vector<Camera> cameras;
  std::vector<IntrinsicsResult> intrinsics;
  for (const CameraInput& in : inputs) {
    intrinsics.push_back(
        CalibrateIntrinsics(board, ViewList(in, nullptr), in.size, intrinsics_options, in.name));
    for (const auto& w : intrinsics.back().warnings) warnings.push_back(in.name + ": " + w);
    cameras.push_back(intrinsics.back().camera);
  }

  Json rejected = Json::MakeArray();
  std::vector<double> world_error_mm(cameras.size(), 0.0);
  std::vector<int> views_used(cameras.size(), 0);
  double rms_px = 0.0;
  if (cameras.size() == 1) {
    const IntrinsicsResult& r = intrinsics[0];
    std::vector<double> depths;
    for (const Rigid3d& p : r.cam_from_board) depths.push_back((p * board.CenterInBoard()).z());
    std::nth_element(depths.begin(), depths.begin() + depths.size() / 2, depths.end());
    world_error_mm[0] =
        r.rms_px * depths[depths.size() / 2] / (0.5 * (r.camera.fx + r.camera.fy)) * 1e3;
    views_used[0] = static_cast<int>(r.used_views.size());
    rms_px = r.rms_px;
  } else {
    std::vector<RigView> views;
    for (size_t c = 0; c < inputs.size(); ++c) {
      for (const auto& [index, view] : inputs[c].views) {
        if (!view.accepted) continue;
        views.push_back({static_cast<int>(c), static_cast<int>(index), view.ids, view.corners});
      }
    }
    RigCalibrationOptions rig_options;
    rig_options.refine_intrinsics = args.has("refine-intrinsics");
    RigCalibrator calibrator(rig_options);
    calibrator.Solve(board, views, &cameras);
    if (progress) std::fprintf(stderr, "%s", calibrator.Summary(cameras).c_str());
    for (size_t c = 0; c < cameras.size(); ++c) {
      world_error_mm[c] = calibrator.quality()[c].world_error_mm;
      views_used[c] = calibrator.quality()[c].views_used;
    }
    for (const RejectedView& r : calibrator.rejected()) {
      Json j = Json::MakeObject();
      j["camera"] = cameras[r.camera].name;
      j["frame"] = r.frame;
      j["rms_px"] = r.rms_px;
      j["reason"] = r.reason;
      rejected.push_back(j);
    }
    rms_px = calibrator.rms_px();
  }

  // A board spec that does not match the printed board (rows and columns
  // swapped, another square size) still finds corners, and the fit converges
  // to nonsense: an RMS of tens of pixels, fx of a few pixels, a principal
  // point outside the image. Nothing is written then.
  const std::string board_hint = "check --board (rows x columns order, square and marker sizes, "
                                 "dictionary) against the printed board; no rig was written";
  if (!(rms_px <= kMaxPlausibleRmsPx)) {
    throw Error("--board", "the calibration's reprojection RMS is " +
                               FormatDouble(std::round(rms_px * 100) / 100) + " px (a good one is "
                               "well under 1 px); " + board_hint);
  }
  for (const Camera& cam : cameras) {
    const double side = std::max(cam.width, cam.height);
    if (!(cam.fx > 0.1 * side && cam.fx < 20 * side && cam.fy > 0.1 * side &&
          cam.fy < 20 * side && cam.cx > 0 && cam.cx < cam.width && cam.cy > 0 &&
          cam.cy < cam.height)) {
      throw Error(cam.name, "implausible intrinsics (fx " + FormatDouble(std::round(cam.fx)) +
                                ", fy " + FormatDouble(std::round(cam.fy)) + ", cx " +
                                FormatDouble(std::round(cam.cx)) + ", cy " +
                                FormatDouble(std::round(cam.cy)) + " for " +
                                std::to_string(cam.width) + "x" + std::to_string(cam.height) +
                                "); " + board_hint);
    }
  }

  std::string world_frame = "camera " + cameras[0].name + " (no --floor given)";
  if (!floors.empty()) {
    std::vector<RigView> floor_views;
    BoardDetectionOptions floor_detection;
    floor_detection.max_view_angle_deg = 89.0;  // a floor board is seen at a slant
    const std::vector<CameraInput> floor_inputs =
        DetectAll(board, floors, floor_detection, progress);
    for (const CameraInput& in : floor_inputs) {
      int camera = -1;
      for (size_t c = 0; c < cameras.size(); ++c) {
        if (cameras[c].name == in.name) camera = static_cast<int>(c);
      }
      if (camera < 0)
        throw UsageError("--floor camera '" + in.name + "' is not among the --images cameras");
      if (in.size != cv::Size(cameras[camera].width, cameras[camera].height)) {
        throw Error(in.name, in.path + ": floor images differ in size from the calibration images");
      }
      for (const auto& [index, view] : in.views) {
        if (!view.accepted) continue;
        floor_views.push_back({camera, static_cast<int>(index), view.ids, view.corners});
        break;  // the board lies still: one view per camera
      }
    }
    const FloorBoardResult floor = WorldFromFloorBoard(board, floor_views, cameras);
    ApplyWorldFrame(floor.world_from_rig, &cameras);
    world_frame = "floor board (" + std::to_string(floor.views_used) + " views, RMS " +
                  FormatDouble(std::round(floor.rms_px * 1000) / 1000) + " px)";
  } else {
    warnings.push_back("no --floor: camera " + cameras[0].name +
                       " defines the world frame (Z is not up)");
  }

  Rig rig;
  rig.cameras = cameras;
  rig.adjusted = cameras.size() > 1;
  rig.error_px = rms_px;
  WriteRig(out_path, rig);

  if (json) {
    Json out = Json::MakeObject();
    Json cams = Json::MakeArray();
    for (size_t c = 0; c < cameras.size(); ++c) {
      const Camera& cam = cameras[c];
      Json j = Json::MakeObject();
      j["name"] = cam.name;
      j["image_size"] = Json::ArrayOf(std::vector<int>{cam.width, cam.height});
      j["fx"] = cam.fx;
      j["fy"] = cam.fy;
      j["cx"] = cam.cx;
      j["cy"] = cam.cy;
      j["dist"] = Json::ArrayOf(cam.dist);
      j["rms_px"] = cam.rms_px;
      j["world_error_mm"] = world_error_mm[c];
      j["views_used"] = views_used[c];
      j["rvec_cam_from_world"] = Vec(cam.cam_from_world.Rvec());
      j["tvec_cam_from_world"] = Vec(cam.cam_from_world.translation);
      cams.push_back(j);
    }
    out["cameras"] = cams;
    out["rms_px"] = rms_px;
    out["rejected_views"] = rejected;
    out["world_frame"] = world_frame;
    out["warnings"] = Json::ArrayOf(warnings);
    std::printf("%s\n", out.Dump().c_str());
    return 0;
  }
  for (size_t c = 0; c < cameras.size(); ++c) {
    const Camera& cam = cameras[c];
    std::printf(
        "%s: %dx%d fx %.2f fy %.2f cx %.2f cy %.2f, RMS %.3f px (%.2f mm at the volume), %d "
        "views\n",
        cam.name.c_str(), cam.width, cam.height, cam.fx, cam.fy, cam.cx, cam.cy, cam.rms_px,
        world_error_mm[c], views_used[c]);
  }
  std::printf("RMS %.3f px, %zu views rejected; world frame: %s\n", rms_px, rejected.size(),
              world_frame.c_str());
  for (const auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}

}  // namespace

HL_REGISTER_COMMAND(
    calibrate_command,
    {"calibrate",
     "intrinsics (one camera) or a whole rig (several) from views of a board",
     "--board SPEC --images NAME=PATH... -o RIG [--floor NAME=PATH...] "
     "[--refine-intrinsics] [--json]",
     {{"board", true, "charuco:COLSxROWS:SQUARE_M:MARKER_M:DICT or chessboard:COLSxROWS:SQUARE_M"},
      {"images", true, "a camera's board views: folder, printf pattern or video"},
      {"o", true, "the rig file to write (.yml, .yaml or .toml)"},
      {"floor", true, "a camera's view of the board lying on the floor (sets the world)"},
      {"refine-intrinsics", false, "refine intrinsics in the rig bundle adjustment"},
      {"max-views", true, "most views per camera for intrinsics (default 40)"},
      {"json", false, "print one JSON object"}},
     RunCalibrate});

}  // namespace hl::app
