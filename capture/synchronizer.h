#pragma once

// Multi-camera frame sets, assembled by timestamp.
//
// Each camera has its own grab thread feeding a bounded queue. A frame set is
// formed around the earliest frame waiting at the head of any queue: every
// camera whose head frame lies within `tolerance_s` of it joins; the others
// are missing from that set, and the set says why. A set is only formed once
// every live camera has a frame waiting (or has timed out), so a camera that
// is merely late is never left out.
//
// Per camera the synchronizer counts, from the camera's own timestamps:
//   dropped     frames the camera never delivered (a gap longer than
//               drop_fraction periods counts round(gap / period) - 1 frames),
//   duplicates  frames with the index of the previous frame, or closer than
//               duplicate_fraction periods to it (or earlier): discarded,
//   overflow    frames discarded because the consumer fell behind and the
//               queue was full (live cameras only; file sources wait instead),
//   late        frames that arrived after their set had gone (a camera that
//               came back after a timeout): discarded,
//   timeouts    times the camera went silent for camera_timeout_s while the
//               others went on.
//
// SyncTimestampStreams() runs the same assembly on recorded timestamps,
// without threads, for tests and for synchronizing recorded media.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capture/frame_source.h"
#include "core/json.h"

namespace hl {

struct SyncOptions {
  // Nominal frame rate. 0: the highest fps() among the sources. The period
  // 1 / fps sets the defaults below; offline assembly needs it given.
  double fps = 0.0;
  // Frames within this of a set's earliest frame join the set. 0: half a period.
  double tolerance_s = 0.0;
  // A frame closer than this many periods to its predecessor is a duplicate.
  double duplicate_fraction = 0.5;
  // A gap longer than this many periods means frames were dropped.
  double drop_fraction = 1.5;
  // A live camera with nothing queued for this long is left out of the sets
  // that follow (it rejoins if it recovers).
  double camera_timeout_s = 1.0;
  // The same, for a camera's first frame (drivers take a while to start).
  double startup_timeout_s = 5.0;
  // Frames queued per camera at most.
  size_t queue_capacity = 16;
  // What a grab thread does with a full queue. kAuto: drop the oldest frame
  // for live sources, wait for file sources.
  enum class FullQueue { kAuto, kDropOldest, kWait };
  FullQueue full_queue = FullQueue::kAuto;

  // Throws hl::Error("synchronizer", ...) on values that cannot work.
  void Check() const;
};

struct CameraSyncStats {
  std::string name;
  int64_t received = 0;  // frames the source delivered
  int64_t used = 0;      // frames placed in a set
  int64_t dropped = 0;
  int64_t duplicates = 0;
  int64_t overflow = 0;
  int64_t late = 0;
  int64_t timeouts = 0;
  int64_t missing_in_sets = 0;  // sets emitted without this camera
  size_t max_queue_depth = 0;
  bool timed_out = false;  // silent at the end
  bool ended = false;      // the source returned false
  std::string end_reason;  // why it ended; empty for a normal end of stream
  double first_timestamp_s = 0.0;
  double last_timestamp_s = 0.0;
};

struct SyncReport {
  std::vector<CameraSyncStats> cameras;
  int64_t frame_sets = 0;
  int64_t complete_sets = 0;

  // Problems only, one line each ("cam1: 3 dropped frames"); empty when clean.
  std::vector<std::string> Anomalies() const;
  // A few lines for people: totals, then one line per camera.
  std::string Summary() const;
  Json ToJson() const;
};

struct FrameSet {
  int64_t index = 0;         // the frame slot since the first set; gaps when all cameras dropped
  double timestamp_s = 0.0;  // mean of its frames' timestamps
  std::vector<std::optional<Frame>> frames;  // one per camera, in source order
  std::vector<std::string> missing;          // "cam2: timed out", one per absent camera
  bool complete() const { return missing.empty(); }
};

// The assembly itself; the threads and the offline function both drive it.
class SetAssembler {
 public:
  enum class State { kAlive, kEnded, kTimedOut };
  enum class Step { kEmitted, kWait, kDone };
  using Clock = std::chrono::steady_clock;

  SetAssembler(std::vector<std::string> names, const SyncOptions& options, double fps,
               Clock::time_point start);

  // A frame from camera `cam`; applies the duplicate/drop bookkeeping and the
  // drop-oldest policy when `drop_when_full`.
  void Push(size_t cam, Frame frame, bool drop_when_full, Clock::time_point now);
  void End(size_t cam, const std::string& reason);
  // Emits the next set when it can. kWait: a live camera has nothing queued
  // yet; call again after NextDeadline() or the next Push().
  Step TryEmit(FrameSet* set, Clock::time_point now);
  Clock::time_point NextDeadline() const;
  size_t queued(size_t cam) const { return cameras_[cam].pending.size(); }
  SyncReport report() const;
  double period_s() const { return period_s_; }

 private:
  struct Camera {
    CameraSyncStats stats;
    std::deque<Frame> pending;
    State state = State::kAlive;
    bool has_previous = false;
    int64_t previous_index = 0;
    double previous_timestamp_s = 0.0;
    Clock::time_point deadline;
  };
  double Time(const Frame& f) const;

  SyncOptions options_;
  double period_s_;
  double tolerance_s_;
  std::vector<Camera> cameras_;
  int64_t sets_ = 0;
  int64_t complete_sets_ = 0;
  bool has_last_ = false;
  double first_anchor_s_ = 0.0;
  double last_anchor_s_ = 0.0;
  int64_t last_index_ = 0;
};

class Synchronizer {
 public:
  Synchronizer(std::vector<std::unique_ptr<FrameSource>> sources, SyncOptions options = {});
  ~Synchronizer();
  Synchronizer(const Synchronizer&) = delete;
  Synchronizer& operator=(const Synchronizer&) = delete;

  // Opens every source (throws hl::Error naming the first camera that fails)
  // and starts the grab threads.
  void Start();
  // Blocks for the next set; false once every camera has ended or timed out
  // and nothing is left, or after Stop().
  bool Next(FrameSet* set);
  // Stops the grab threads (waits for each to return from its Grab()).
  void Stop();

  std::vector<std::string> camera_names() const;
  double fps() const { return fps_; }
  SyncReport report() const;

 private:
  void GrabLoop(size_t cam);

  std::vector<std::unique_ptr<FrameSource>> sources_;
  SyncOptions options_;
  double fps_ = 0.0;
  bool wait_when_full_ = false;
  std::unique_ptr<SetAssembler> assembler_;
  mutable std::mutex mutex_;
  std::condition_variable frame_arrived_;
  std::condition_variable space_freed_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// One assembled set of recorded frames: for each camera, the position of its
// frame in that camera's stream, or -1.
struct OfflineFrameSet {
  int64_t index = 0;
  double timestamp_s = 0.0;
  std::vector<int64_t> position;
};

struct OfflineSyncResult {
  std::vector<OfflineFrameSet> sets;
  SyncReport report;
};

// Assembles sets from per-camera timestamp streams (seconds, in delivery
// order; NaN means "unknown": the frame's position times the period is used).
// `options.fps` must be set.
OfflineSyncResult SyncTimestampStreams(const std::vector<std::string>& names,
                                       const std::vector<std::vector<double>>& timestamps_s,
                                       const SyncOptions& options);

}  // namespace hl
