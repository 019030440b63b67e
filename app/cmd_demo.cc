// hingelab demo: the whole pipeline on the simulated studio.
//
// The demo drives this same program's subcommands (simulate, calibrate,
// reconstruct, score, view) exactly as a user or script would, so it proves
// the command-line contracts as well as the algorithms. Each stage reports
// what it measured against the simulator's ground truth; a stage whose
// subcommand is not part of this build is reported as such, never faked.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "app/command.h"
#include "capture/sim/rig_presets.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/rig.h"

extern char** environ;

namespace hl::app {
namespace {

namespace fs = std::filesystem;

struct Run {
  int status = -1;
  std::string out;
};

// Runs `hingelab ARGS...` (this executable) and captures its stdout; its
// stderr (progress, errors) goes to ours.
Run RunSelf(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {"/proc/self/exe"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw Error("demo", "cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid = 0;
  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  Run run;
  if (rc != 0) {
    close(fds[0]);
    throw Error("demo", "cannot start " + exe);
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) run.out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

bool HasCommand(const std::string& name) {
  for (const auto& c : Registry()) {
    if (c.name == name) return true;
  }
  return false;
}

void Stage(int n, const std::string& title) { std::printf("\n[%d] %s\n", n, title.c_str()); std::fflush(stdout); }

void Say(const std::string& s) { std::printf("    %s\n", s.c_str()); std::fflush(stdout); }

// A subcommand run that must succeed; returns its stdout.
std::string Must(const std::vector<std::string>& args) {
  std::string line = "hingelab";
  for (const auto& a : args) line += " " + a;
  Say("$ " + line);
  const auto t0 = std::chrono::steady_clock::now();
  Run r = RunSelf(args);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.status != 0) {
    throw Error("demo", "'" + line + "' failed with exit status " + std::to_string(r.status) +
                            " (its error is printed above)");
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "done in %.1f s", s);
  Say(buf);
  return r.out;
}

Json MustJson(const std::vector<std::string>& args) {
  const std::string out = Must(args);
  return Json::Parse(out, "output of hingelab " + args[0] + " --json");
}

// Camera centres and orientations of a calibrated rig against the truth, in
// the same world frame (both are set by the board on the floor).
void CompareRigs(const Rig& estimate, const Rig& truth) {
  for (const Camera& cam : estimate.cameras) {
    const Camera* t = truth.Find(cam.name);
    if (!t) continue;
    const double centre_mm = 1000.0 * (cam.CenterInWorld() - t->CenterInWorld()).norm();
    const double angle_deg =
        cam.cam_from_world.rotation.angularDistance(t->cam_from_world.rotation) * 180.0 / M_PI;
    char buf[200];
    std::snprintf(buf, sizeof(buf), "%s: centre off truth by %.2f mm, rotation by %.3f deg, rms %.3f px",
                  cam.name.c_str(), centre_mm, angle_deg, cam.rms_px);
    Say(buf);
  }
}

// The simulated studio is written as PNG frames: calibration, static trial
// and a two-rep drill took 3.1 GB for studio4 (4 cameras) at 1920x1080, i.e.
// about 0.78 GB per camera at that size. Stops before the first image when
// the folder's disk cannot hold them, instead of half-way through a take.
// The smallest render size at which the calibration stage works: at 960x540
// the studio4 board's markers are about 2 px per cell in the middle of the
// volume, so no two cameras detect it in the same frame ("never see the board
// at the same moment"); at 1280x720 all four calibrate (0.02 px RMS, measured).
constexpr int kMinDemoWidth = 1280, kMinDemoHeight = 720;

void CheckFreeSpace(const fs::path& out, const std::string& rig_preset, const std::string& size) {
  const double cameras = static_cast<double>(sim::LoadRigOrPreset(rig_preset).cameras.size());
  const auto [w, h] = size.empty() ? std::pair{1920, 1080} : ParseImageSize(size);
  if (w < kMinDemoWidth || h < kMinDemoHeight) {
    throw UsageError("--size " + size + " is too small for the demo's calibration stage: the board "
                     "is not found in the middle of the volume below " +
                     std::to_string(kMinDemoWidth) + "x" + std::to_string(kMinDemoHeight));
  }
  const double need_gb = 0.78 * cameras * (static_cast<double>(w) * h) / (1920.0 * 1080.0);
  std::error_code ec;
  const fs::space_info space = fs::space(out, ec);
  if (ec) return;  // no figure to go by (some network file systems): the writes will say
  const double free_gb = static_cast<double>(space.available) / 1e9;
  if (free_gb < 1.1 * need_gb) {
    char buf[400];
    const bool can_shrink = w > kMinDemoWidth && h > kMinDemoHeight;
    std::snprintf(buf, sizeof(buf),
                  "%.1f GB free there, and the simulated studio's images need about %.1f GB (%.0f cameras, "
                  "%dx%d PNG); free some space or write elsewhere with -o DIR%s",
                  free_gb, need_gb, cameras, w, h,
                  can_shrink ? ", or render smaller with --size 1280x720 (the smallest that calibrates; "
                               "0.44 of the disk of 1920x1080)"
                             : "");
    throw Error(out.string(), buf);
  }
}

int RunDemo(const Args& args) {
  const fs::path out = args.value_or("o", "demo-out");
  const std::string rig_preset = args.value_or("rig", "studio4");
  const std::string size = args.value_or("size", "");
  const std::string drill = args.value_or("drill", "dowel_hinge");
  fs::create_directories(out);
  CheckFreeSpace(out, rig_preset, size);
  std::printf("HingeLab demo: the simulated studio '%s', output in %s\n", rig_preset.c_str(),
              out.string().c_str());

  std::vector<std::string> missing;
  for (const char* c : {"simulate", "calibrate", "reconstruct", "score"}) {
    if (!HasCommand(c)) missing.push_back(c);
  }
  if (!missing.empty()) {
    std::string m;
    for (const auto& c : missing) m += (m.empty() ? "" : ", ") + c;
    std::printf("note: this build lacks: %s; those stages are skipped and said so below.\n", m.c_str());
  }
  // --replace: a second demo into the same folder writes its takes anew. The
  // session's rig.yml, once calibrated (stage 2), is kept by the later takes.
  std::vector<std::string> sim_common = {"--rig", rig_preset, "-o", out.string(), "--seed", "1",
                                         "--replace"};
  if (!size.empty()) {
    sim_common.push_back("--size");
    sim_common.push_back(size);
  }
  auto with = [&](std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };

  if (!HasCommand("simulate")) {
    Stage(1, "simulated studio: NOT BUILT; nothing else can run without it");
    return 1;
  }
  Stage(1, "calibration scene: a ChArUco board waved through the volume, then laid on the floor");
  Json cal_sim = MustJson(with({"simulate", "--scene", "calibration", "--json"}, sim_common));
  const fs::path cal_take = cal_sim.contains("take_dir") ? fs::path(cal_sim.at("take_dir").str())
                                                         : out / "calibration";

  fs::path rig_path = out / "rig.yml";
  Stage(2, "calibrate the rig (intrinsics, Ceres bundle adjustment, world frame from the floor board)");
  if (HasCommand("calibrate")) {
    const Rig truth = ReadRig(cal_take / "truth" / "rig.toml");
    const fs::path board_json = cal_take / "truth" / "board.json";
    const Json board = Json::Parse(ReadFileText(board_json), board_json.string());
    std::vector<std::string> cal = {"calibrate", "--board", board.at("board").str()};
    for (const Camera& cam : truth.cameras) {
      cal.push_back("--images");
      cal.push_back(cam.name + "=" + (cal_take / cam.name).string());
    }
    char floor_name[32];
    std::snprintf(floor_name, sizeof(floor_name), "%06d.png",
                  static_cast<int>(board.at("first_floor_frame").number()));
    for (const Camera& cam : truth.cameras) {
      cal.push_back("--floor");
      cal.push_back(cam.name + "=" + (cal_take / cam.name / floor_name).string());
    }
    // Intrinsics from the waved board alone leave the rig 7-28 mm off on the
    // rendered studio; refining them in the joint adjustment brings it to ~1.4 mm.
    cal.insert(cal.end(), {"--refine-intrinsics", "-o", rig_path.string(), "--json"});
    Json cal_json = MustJson(cal);
    char buf[128];
    std::snprintf(buf, sizeof(buf), "overall reprojection RMS %.3f px, %zu views rejected",
                  cal_json.at("rms_px").number(),
                  cal_json.contains("rejected_views") ? cal_json.at("rejected_views").size() : size_t{0});
    Say(buf);
    CompareRigs(ReadRig(rig_path), truth);
  } else {
    Say("calibrate: NOT BUILT in this version; using the simulator's true rig instead");
    rig_path = cal_take / "truth" / "rig.toml";
  }

  Stage(3, "static trial: standing tall, dowel touching head, upper back and sacrum");
  Json static_sim = MustJson(with({"simulate", "--scene", "static", "--json"}, sim_common));
  const fs::path static_take = static_sim.contains("take_dir") ? fs::path(static_sim.at("take_dir").str())
                                                               : out / "static";

  Stage(4, "drill take: " + drill + ", two reps in which the lower back rounds off the dowel");
  Json drill_sim = MustJson(with({"simulate", "--drill", drill, "--fault", "dowel_contact_lost", "--reps", "2",
                                  "--json"},
                                 sim_common));
  const fs::path drill_take = drill_sim.contains("take_dir") ? fs::path(drill_sim.at("take_dir").str())
                                                             : out / drill;

  fs::path static_rec = static_take / "truth" / "markers.csv";
  fs::path drill_rec = drill_take / "truth" / "markers.csv";
  Stage(5, "reconstruct 3D marker trajectories from the rendered images");
  if (HasCommand("reconstruct")) {
    for (const fs::path& take : {static_take, drill_take}) {
      Json r = MustJson({"reconstruct", take.string(), "--rig", rig_path.string(), "--json"});
      char buf[200];
      std::snprintf(buf, sizeof(buf), "%s: %d frames, %.1f %% of samples reconstructed, median residual %.3f px",
                    take.filename().string().c_str(), static_cast<int>(r.at("frames").number()),
                    100.0 * r.at("reconstructed_fraction").number(), r.at("median_residual_px").number());
      Say(buf);
    }
    static_rec = static_take / "recording.c3d";
    drill_rec = drill_take / "recording.c3d";
  } else {
    Say("reconstruct: NOT BUILT in this version; scoring the simulator's TRUE marker trajectories instead");
  }

  Stage(6, "score every repetition with the " + drill + " plugin");
  if (HasCommand("score")) {
    const fs::path report = drill_take / "report.html";
    std::vector<std::string> score = {"score", drill_rec.string(), "--drill", drill, "--static", static_rec.string(),
                                      "--markers", (out / "markers.yml").string(), "--json", "--report",
                                      report.string()};
    Json s = MustJson(score);
    WriteFileAtomic(drill_take / "score.json", s.Dump(2) + "\n");
    Json labels = Json::Parse(ReadFileText(drill_take / "truth" / "labels.json"),
                              (drill_take / "truth" / "labels.json").string());
    if (!s.at("assessable").boolean()) {
      std::string missing_segments;
      for (const auto& m : s.at("missing_segments").array()) {
        missing_segments += (missing_segments.empty() ? "" : ", ") + m.str();
      }
      Say("NOT ASSESSABLE: the recording lacks segment(s) " + missing_segments +
          " (their markers were not reconstructed); the plugin does not guess");
    }
    const auto& reps = s.at("reps").array();
    const auto& truth_reps = labels.at("reps").array();
    for (size_t i = 0; i < reps.size(); ++i) {
      std::string found, expected = "no simulated rep there";
      for (const auto& f : reps[i].at("faults").array()) found += (found.empty() ? "" : ",") + f.str();
      // The simulated rep this one overlaps most (a rep the scoring could not
      // judge is left out, so the n-th scored rep need not be the n-th simulated).
      const double start = reps[i].at("start_s").number(), end = reps[i].at("end_s").number();
      double best = 0.0;
      for (const auto& t : truth_reps) {
        const double overlap = std::min(end, t.at("end_s").number()) - std::max(start, t.at("start_s").number());
        if (overlap <= best) continue;
        best = overlap;
        expected.clear();
        for (const auto& f : t.at("faults").array()) expected += (expected.empty() ? "" : ",") + f.str();
      }
      char buf[300];
      std::snprintf(buf, sizeof(buf), "rep %zu: grade %d, score %d, faults [%s], simulated [%s]", i + 1,
                    static_cast<int>(reps[i].at("grade").number()), static_cast<int>(reps[i].at("score").number()),
                    found.c_str(), expected.c_str());
      Say(buf);
    }
    Say("report: " + report.string());
  } else {
    Say("score: NOT BUILT in this version");
  }

  Stage(7, "viewer");
  if (HasCommand("view") && std::getenv("DISPLAY") && !args.has("no-view")) {
    RunSelf({"view", drill_take.string()});
  } else {
    Say("no display (or --no-view): open it later with 'hingelab view " + drill_take.string() + "'");
  }
  std::printf("\ndemo finished: everything is in %s\n", out.string().c_str());
  return 0;
}

HL_REGISTER_COMMAND(demo_command,
                    {"demo", "the whole pipeline on the simulated studio: calibrate, static trial, drill, score, report",
                     "[-o DIR] [--rig PRESET] [--size WxH] [--drill ID] [--no-view]",
                     {{"o", true, "output folder (default demo-out)"},
                      {"rig", true, "rig preset: studio4 (default), studio8, lab2"},
                      {"size", true, "render size WxH (default: the preset's 1920x1080)"},
                      {"drill", true, "drill to demonstrate (default dowel_hinge)"},
                      {"no-view", false, "do not open the viewer at the end"}},
                     RunDemo, 0});

}  // namespace
}  // namespace hl::app
