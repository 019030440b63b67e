#include "capture/sim/simulate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <opencv2/imgcodecs.hpp>

#include "capture/sim/calibration_scene.h"
#include "capture/sim/drills.h"
#include "capture/sim/mounts.h"
#include "capture/sim/rig_presets.h"
#include "core/csv_recording.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/marker_set.h"
#include "core/rig.h"

namespace hl::sim {
namespace {

namespace fs = std::filesystem;
using Eigen::Vector3d;

// Whether a capsule hides `point` from the camera centre. The last few
// millimetres before the point are not tested: a marker sits just off the
// capsule it is mounted on.
bool Occluded(const Vector3d& center, const Vector3d& point, const std::vector<Capsule>& caps) {
  const Vector3d dir = point - center;
  const double len = dir.norm();
  if (len < 1e-9) return false;
  const Vector3d end = center + dir * std::max(0.0, (len - 0.004) / len);
  for (const Capsule& c : caps) {
    if (SegmentDistance(center, end, c.a, c.b) < c.radius_m) return true;
  }
  return false;
}

void AppendCorners(const Rig& rig, const SceneFrame& scene, int frame, std::string* out) {
  for (const Camera& cam : rig.cameras) {
    const Vector3d center = cam.CenterInWorld();
    for (const MarkerInstance& m : scene.markers) {
      const Vector3d normal = m.world_from_marker.RotationMatrix().col(2);
      const bool facing = normal.dot(center - m.world_from_marker.translation) > 0;
      const auto corners = MarkerCornersInWorld(m);
      for (int k = 0; k < 4; ++k) {
        Eigen::Vector2d uv;
        if (!cam.Project(corners[k], &uv)) continue;
        const bool inside = uv.x() >= -0.5 && uv.y() >= -0.5 && uv.x() <= cam.width - 0.5 &&
                            uv.y() <= cam.height - 0.5;
        const bool visible = facing && inside && !Occluded(center, corners[k], scene.occluders);
        *out += cam.name + "," + std::to_string(frame) + "," + std::to_string(m.id) + "," +
                std::to_string(k) + "," + FormatDouble(uv.x()) + "," + FormatDouble(uv.y()) + "," +
                (visible ? "1" : "0") + "\n";
      }
    }
  }
}

void AppendBoardCorners(const Rig& rig, const CalibrationTruth& truth, int frame,
                        std::string* out) {
  const Rigid3d& world_from_board = truth.world_from_board[frame];
  // The printed face looks along the board's -z.
  const Vector3d face = -(world_from_board.RotationMatrix().col(2));
  const std::vector<Vector3d> corners = truth.board.CornersInBoard();
  for (const Camera& cam : rig.cameras) {
    const Vector3d center = cam.CenterInWorld();
    for (size_t id = 0; id < corners.size(); ++id) {
      const Vector3d p = world_from_board * corners[id];
      Eigen::Vector2d uv;
      if (!cam.Project(p, &uv)) continue;
      const bool inside = uv.x() >= -0.5 && uv.y() >= -0.5 && uv.x() <= cam.width - 0.5 &&
                          uv.y() <= cam.height - 0.5;
      const bool visible = inside && face.dot(center - p) > 0;
      *out += cam.name + "," + std::to_string(frame) + "," + std::to_string(id) + ",0," +
              FormatDouble(uv.x()) + "," + FormatDouble(uv.y()) + "," + (visible ? "1" : "0") +
              "\n";
    }
  }
}

std::string Today() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", std::gmtime(&now));
  return buf;
}

void CheckTakeName(const std::string& take) {
  if (take.empty() || take == "." || take == ".." || take.find('/') != std::string::npos ||
      take.find('\\') != std::string::npos) {
    throw Error("take " + take, "a take name is one folder name (no '/', not '.' or '..')");
  }
}

void WriteTakeYaml(const fs::path& path, const std::string& kind, const std::string& drill,
                   double fps, int frames, const Rig& rig, const SimulateOptions& o) {
  std::string y = "%YAML:1.0\n---\n";
  y += "kind: " + kind + "\n";
  if (kind == "drill") y += "drill: " + drill + "\n";
  y += "fps: " + FormatDouble(fps) + "\n";
  y += "frames: " + std::to_string(frames) + "\n";
  y += "simulated: 1\nseed: " + std::to_string(o.seed) + "\n";
  y += "cameras: [";
  for (size_t i = 0; i < rig.cameras.size(); ++i) {
    y += (i ? ", " : "") + std::string("\"") + rig.cameras[i].name + "\"";
  }
  y += "]\n";
  if (kind == "drill") {
    y += "faults: [";
    for (size_t i = 0; i < o.faults.size(); ++i) y += (i ? ", " : "") + o.faults[i];
    y += "]\n";
  }
  WriteFileAtomic(path, y);
}

}  // namespace

Rig ScaleRig(const Rig& rig, int width, int height) {
  Rig out = rig;
  for (Camera& c : out.cameras) {
    const double sx = static_cast<double>(width) / c.width;
    const double sy = static_cast<double>(height) / c.height;
    // Pixel centres sit at integers: scale about the image corner (-0.5, -0.5).
    c.fx *= sx;
    c.fy *= sy;
    c.cx = (c.cx + 0.5) * sx - 0.5;
    c.cy = (c.cy + 0.5) * sy - 0.5;
    c.width = width;
    c.height = height;
  }
  return out;
}

std::string DefaultTakeName(const SimulateOptions& o) {
  if (o.scene != "drill") return o.scene;
  std::string name = o.drill;
  for (const auto& f : o.faults) name += "_" + f;
  return name;
}

SimulateSummary SimulateTake(const SimulateOptions& o) {
  if (o.scene != "drill" && o.scene != "static" && o.scene != "calibration") {
    throw Error("scene " + o.scene, "use drill, static or calibration");
  }
  if (o.output_dir.empty()) throw Error("output", "give the session folder to write (-o DIR)");
  if (o.frames < 0 || o.frames > 1000000) throw Error("frames", "must be within 0-1000000");
  if (!(o.duration_s >= 0 && o.duration_s <= 3600)) throw Error("duration", "must be 0-3600 s");
  if ((o.width != 0 || o.height != 0) &&
      (o.width < 16 || o.height < 16 || o.width > 8192 || o.height > 8192)) {
    throw Error("size", "image size must be within 16x16 - 8192x8192");
  }
  const std::string take = o.take.empty() ? DefaultTakeName(o) : o.take;
  CheckTakeName(take);
  // Never write over what a session already holds: a take of the same name
  // (only with `replace`), or another marker set (its takes are labelled by it).
  std::error_code exists_ec;
  const fs::path take_path = o.output_dir / take;
  if (fs::exists(take_path / "take.yml", exists_ec)) {
    if (!o.replace) {
      throw Error(take_path.string(), "already holds a take; choose another --take name or -o "
                                      "folder, or give --replace to write over it");
    }
  } else if (fs::is_directory(take_path, exists_ec) &&
             !fs::is_empty(take_path, exists_ec)) {
    // Not a take: --replace must not empty a folder it did not write.
    throw Error(take_path.string(), "holds files but no take (take.yml); choose another --take "
                                    "name or -o folder");
  }
  const MarkerSet set = ReadMarkerSet(o.markers_path);
  const std::string markers_text = ReadFileText(o.markers_path);
  if (fs::exists(o.output_dir / "markers.yml", exists_ec) &&
      ReadFileText(o.output_dir / "markers.yml") != markers_text) {
    throw Error((o.output_dir / "markers.yml").string(),
                "the session holds another marker set than " + o.markers_path.string() +
                    " (its takes are labelled by it); simulate into another -o folder");
  }
  Rig rig = LoadRigOrPreset(o.rig);
  if (rig.cameras.empty()) throw Error("rig " + o.rig, "has no cameras");
  if (o.width > 0) rig = ScaleRig(rig, o.width, o.height);
  // A session rig.yml is kept (a calibration of this rig); one of other
  // cameras or image sizes belongs to another rig, and its takes would be
  // reconstructed with the wrong one.
  if (const fs::path session_rig = o.output_dir / "rig.yml"; fs::exists(session_rig, exists_ec)) {
    const Rig kept = ReadRig(session_rig);
    bool same = kept.cameras.size() == rig.cameras.size();
    for (size_t c = 0; same && c < rig.cameras.size(); ++c) {
      same = kept.cameras[c].name == rig.cameras[c].name &&
             kept.cameras[c].width == rig.cameras[c].width &&
             kept.cameras[c].height == rig.cameras[c].height;
    }
    if (!same) {
      throw Error(session_rig.string(),
                  "is a rig of other cameras or image sizes than '" + o.rig +
                      "' at this size; simulate into another -o folder");
    }
  }
  const double base_fps = IsRigPreset(o.rig) ? PresetFps(o.rig) : 60.0;

  SimulateSummary summary;
  summary.kind = o.scene;
  std::vector<SceneFrame> frames;
  Json labels;
  std::string measures_csv;
  Recording truth;
  CalibrationTruth calibration;
  double fps = 0;
  if (o.scene == "calibration") {
    CalibrationSceneOptions c;
    c.seed = o.seed;
    // As a lab calibrates from stills: every frame a new placement, tilted up
    // to 45 deg, 40 % of them walked close to a camera so the board reaches the
    // image corners (rendered studio4 coverage 20-44 % -> 50-72 %, camera
    // centres 1.4 mm instead of several mm; calibration_bench rendered).
    c.keyframe_interval = 1;
    c.close_fraction = 0.4;
    c.max_tilt_deg = 45.0;
    if (o.fps > 0) c.fps = o.fps;
    int total = o.frames > 0 ? o.frames
                : o.duration_s > 0 ? static_cast<int>(std::ceil(o.duration_s * c.fps))
                                   : c.frames + c.floor_frames;
    total = std::max(total, 2);
    c.floor_frames = std::clamp(total / 5, 1, 10);
    c.frames = total - c.floor_frames;
    frames = MakeCalibrationScene(rig, c, &calibration);
    fps = c.fps;
  } else {
    fps = o.fps > 0 ? o.fps : base_fps;
    const int n = o.frames > 0 ? o.frames
                  : o.duration_s > 0 ? static_cast<int>(std::ceil(o.duration_s * fps))
                                     : 0;
    SimulatedMotion motion;
    if (o.scene == "static") {
      StaticOptions s;
      s.fps = fps;
      s.seed = o.seed;
      s.num_frames = n;
      motion = SimulateStatic(s, set, o.body);
    } else {
      DrillMotionOptions d;
      d.drill = o.drill;
      d.reps = o.reps;
      d.rep_faults.assign(std::max(0, o.reps), o.faults);
      d.fps = fps;
      d.seed = o.seed;
      d.num_frames = n;
      motion = SimulateDrill(d, set, o.body);
      summary.reps = static_cast<int>(motion.reps.size());
    }
    frames = std::move(motion.frames);
    labels = motion.labels;
    measures_csv = MeasuresCsv(motion);
    truth.points = std::move(motion.truth);
    truth.format = "csv";
    truth.marker_set_yaml = SerializeMarkerSet(set);
  }
  summary.frames = static_cast<int>(frames.size());
  summary.cameras = static_cast<int>(rig.cameras.size());
  summary.fps = fps;
  summary.markers = frames.empty() ? 0 : static_cast<int>(frames[0].markers.size());

  const fs::path dir = o.output_dir;
  const fs::path take_dir = dir / take;
  summary.take_dir = take_dir;
  std::error_code ec;
  if (o.replace && fs::exists(take_dir / "take.yml", ec)) fs::remove_all(take_dir, ec);
  fs::create_directories(take_dir / "truth", ec);
  if (ec) throw Error(take_dir.string(), "cannot create the folder: " + ec.message());
  if (!fs::exists(dir / "session.yml")) {
    WriteFileAtomic(dir / "session.yml",
                    "%YAML:1.0\n---\nformat: hingelab-session-1\nsubject: simulated\ndate: \"" +
                        Today() + "\"\nrig: rig.yml\nmarkers: markers.yml\n");
  }
  // The session's rig.yml is the rig its takes are reconstructed with: after
  // `hingelab calibrate -o SESSION/rig.yml` the calibrated one, kept.
  if (fs::exists(dir / "rig.yml", ec)) {
    summary.kept_session_rig = true;
  } else {
    WriteRig(dir / "rig.yml", rig);
  }
  WriteFileAtomic(dir / "markers.yml", markers_text);
  WriteTakeYaml(take_dir / "take.yml", o.scene, o.drill, fps, summary.frames, rig, o);
  WriteRig(take_dir / "truth" / "rig.toml", rig);

  std::string corners = "camera,frame,id,corner,u,v,visible\n";
  for (int f = 0; f < summary.frames; ++f) {
    if (o.scene == "calibration") {
      AppendBoardCorners(rig, calibration, f, &corners);
    } else {
      AppendCorners(rig, frames[f], f, &corners);
    }
  }
  WriteFileAtomic(take_dir / "truth" / "corners.csv", corners);
  if (o.scene == "calibration") {
    Json board = Json::MakeObject();
    board["board"] = calibration.board.ToString();
    board["fps"] = fps;
    board["first_floor_frame"] = calibration.first_floor_frame;
    Json poses = Json::MakeArray();
    for (const Rigid3d& p : calibration.world_from_board) {
      Json pose = Json::MakeObject();
      const Vector3d r = p.Rvec();
      pose["rvec_world_from_board"] = Json::ArrayOf(std::vector<double>{r.x(), r.y(), r.z()});
      pose["tvec_world_from_board"] = Json::ArrayOf(
          std::vector<double>{p.translation.x(), p.translation.y(), p.translation.z()});
      poses.push_back(pose);
    }
    board["world_from_board"] = poses;
    WriteFileAtomic(take_dir / "truth" / "board.json", board.Dump(1) + "\n");
  } else {
    WriteCsvRecording(take_dir / "truth" / "markers.csv", truth);
    WriteFileAtomic(take_dir / "truth" / "labels.json", labels.Dump(1) + "\n");
    WriteFileAtomic(take_dir / "truth" / "measures.csv", measures_csv);
  }

  if (o.render_images) {
    RenderOptions ro = o.render;
    ro.marker_dictionary = set.dictionary_id;
    ro.seed = o.seed;
    ro.background_seed = o.seed;
    std::vector<ViewRenderer> renderers;
    for (const Camera& cam : rig.cameras) {
      fs::create_directories(take_dir / cam.name, ec);
      if (ec) throw Error((take_dir / cam.name).string(), "cannot create: " + ec.message());
      renderers.emplace_back(cam, ro);
    }
    for (int f = 0; f < summary.frames; ++f) {
      const uint64_t frame_seed = o.seed * 1000003ull + static_cast<uint64_t>(f);
      const std::vector<cv::Mat> views = RenderViews(renderers, frames[f], frame_seed);
      char name[32];
      std::snprintf(name, sizeof(name), "%06d.png", f);
      for (size_t c = 0; c < views.size(); ++c) {
        const fs::path path = take_dir / rig.cameras[c].name / name;
        if (!cv::imwrite(path.string(), views[c])) {
          throw Error(path.string(), "cannot write the image; check the folder is writable");
        }
      }
      if (o.progress) o.progress(f + 1, summary.frames);
    }
  }
  return summary;
}

}  // namespace hl::sim
