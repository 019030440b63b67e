#include "capture/synchronizer.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace hl {
namespace {

using Clock = SetAssembler::Clock;

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string Fixed(double v, int digits) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

}  // namespace

void SyncOptions::Check() const {
  auto bad = [](const std::string& what) { throw Error("synchronizer", what); };
  if (!(fps >= 0) || !std::isfinite(fps)) bad("frame rate must be a positive number");
  if (!(tolerance_s >= 0)) bad("tolerance must be >= 0 s");
  if (!(duplicate_fraction >= 0 && duplicate_fraction < 1))
    bad("duplicate_fraction must be in [0, 1)");
  if (!(drop_fraction > 1)) bad("drop_fraction must be > 1");
  if (!(camera_timeout_s > 0) || !(startup_timeout_s > 0)) bad("timeouts must be > 0 s");
  if (queue_capacity < 1) bad("queue capacity must be at least 1");
}

SetAssembler::SetAssembler(std::vector<std::string> names, const SyncOptions& options, double fps,
                           Clock::time_point start)
    : options_(options), period_s_(1.0 / fps) {
  options_.Check();
  HL_CHECK(fps > 0);
  tolerance_s_ = options_.tolerance_s > 0 ? options_.tolerance_s : period_s_ / 2;
  cameras_.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    cameras_[i].stats.name = names[i];
    cameras_[i].deadline = start + Seconds(options_.startup_timeout_s);
  }
}

double SetAssembler::Time(const Frame& f) const {
  return std::isfinite(f.timestamp_s) ? f.timestamp_s : static_cast<double>(f.index) * period_s_;
}

void SetAssembler::Push(size_t cam, Frame frame, bool drop_when_full, Clock::time_point now) {
  Camera& c = cameras_.at(cam);
  c.stats.received++;
  const double t = Time(frame);
  if (c.has_previous) {
    const double dt = t - c.previous_timestamp_s;
    if (frame.index == c.previous_index || dt < options_.duplicate_fraction * period_s_) {
      c.stats.duplicates++;
      return;
    }
    if (dt > options_.drop_fraction * period_s_) {
      c.stats.dropped += std::max<int64_t>(1, std::llround(dt / period_s_) - 1);
    }
  } else {
    c.stats.first_timestamp_s = t;
  }
  c.has_previous = true;
  c.previous_index = frame.index;
  c.previous_timestamp_s = t;
  c.stats.last_timestamp_s = t;
  if (c.state == State::kTimedOut) {
    c.state = State::kAlive;  // it recovered; frames of sets already gone count as late
    c.stats.timed_out = false;
  }
  c.pending.push_back(std::move(frame));
  if (drop_when_full && c.pending.size() > options_.queue_capacity) {
    c.pending.pop_front();
    c.stats.overflow++;
  }
  c.stats.max_queue_depth = std::max(c.stats.max_queue_depth, c.pending.size());
  c.deadline = now + Seconds(options_.camera_timeout_s);
}

void SetAssembler::End(size_t cam, const std::string& reason) {
  Camera& c = cameras_.at(cam);
  c.state = State::kEnded;
  c.stats.ended = true;
  c.stats.end_reason = reason;
}

SetAssembler::Step SetAssembler::TryEmit(FrameSet* set, Clock::time_point now) {
  if (has_last_) {
    for (Camera& c : cameras_) {
      while (!c.pending.empty() && Time(c.pending.front()) <= last_anchor_s_ + tolerance_s_) {
        c.pending.pop_front();
        c.stats.late++;
      }
    }
  }
  bool waiting = false;
  for (Camera& c : cameras_) {
    if (c.state != State::kAlive || !c.pending.empty()) continue;
    if (now >= c.deadline) {
      c.state = State::kTimedOut;
      c.stats.timed_out = true;
      c.stats.timeouts++;
    } else {
      waiting = true;
    }
  }
  if (waiting) return Step::kWait;
  double anchor = 0.0;
  bool any = false;
  for (const Camera& c : cameras_) {
    if (c.pending.empty()) continue;
    const double t = Time(c.pending.front());
    if (!any || t < anchor) anchor = t;
    any = true;
  }
  if (!any) return Step::kDone;

  set->frames.assign(cameras_.size(), std::nullopt);
  set->missing.clear();
  double sum = 0.0;
  int taken = 0;
  for (size_t i = 0; i < cameras_.size(); ++i) {
    Camera& c = cameras_[i];
    if (!c.pending.empty() && Time(c.pending.front()) <= anchor + tolerance_s_) {
      sum += Time(c.pending.front());
      ++taken;
      set->frames[i] = std::move(c.pending.front());
      c.pending.pop_front();
      c.stats.used++;
      if (c.state == State::kAlive) {
        c.deadline = now + Seconds(options_.camera_timeout_s);
      }
      continue;
    }
    c.stats.missing_in_sets++;
    std::string why;
    if (c.state == State::kTimedOut) {
      std::ostringstream os;
      os << "timed out (no frame for " << options_.camera_timeout_s << " s)";
      why = os.str();
    } else if (c.state == State::kEnded && c.pending.empty()) {
      why = c.stats.end_reason.empty() ? "stream ended" : "stopped: " + c.stats.end_reason;
    } else {
      why = "no frame near this time (dropped)";
    }
    set->missing.push_back(c.stats.name + ": " + why);
  }
  set->timestamp_s = sum / taken;
  if (!has_last_) {
    first_anchor_s_ = anchor;
    set->index = 0;
  } else {
    set->index =
        std::max<int64_t>(last_index_ + 1, std::llround((anchor - first_anchor_s_) / period_s_));
  }
  has_last_ = true;
  last_anchor_s_ = anchor;
  last_index_ = set->index;
  sets_++;
  if (set->complete()) complete_sets_++;
  return Step::kEmitted;
}

Clock::time_point SetAssembler::NextDeadline() const {
  Clock::time_point next = Clock::time_point::max();
  for (const Camera& c : cameras_) {
    if (c.state == State::kAlive && c.pending.empty()) next = std::min(next, c.deadline);
  }
  return next == Clock::time_point::max() ? Clock::now() + Seconds(0.1) : next;
}

SyncReport SetAssembler::report() const {
  SyncReport r;
  for (const Camera& c : cameras_) r.cameras.push_back(c.stats);
  r.frame_sets = sets_;
  r.complete_sets = complete_sets_;
  return r;
}

std::vector<std::string> SyncReport::Anomalies() const {
  std::vector<std::string> out;
  for (const auto& c : cameras) {
    auto add = [&](int64_t n, const std::string& what) {
      if (n > 0) out.push_back(c.name + ": " + std::to_string(n) + " " + what);
    };
    add(c.dropped, "dropped frames (gaps in its timestamps)");
    add(c.duplicates, "duplicated frames (discarded)");
    add(c.overflow, "frames discarded because the queue was full (consumer too slow)");
    add(c.late, "frames that arrived after their set (discarded)");
    add(c.timeouts, "timeouts (no frame for a while)");
    if (c.ended && !c.end_reason.empty()) out.push_back(c.name + ": stopped: " + c.end_reason);
    if (c.received == 0) out.push_back(c.name + ": delivered no frame");
  }
  return out;
}

std::string SyncReport::Summary() const {
  std::ostringstream os;
  os << frame_sets << " frame sets, " << complete_sets << " with every camera\n";
  for (const auto& c : cameras) {
    os << "  " << c.name << ": " << c.received << " frames, " << c.used << " in sets";
    if (c.received > 1 && c.last_timestamp_s > c.first_timestamp_s) {
      os << " ("
         << Fixed(static_cast<double>(c.received - 1 - c.duplicates) /
                      (c.last_timestamp_s - c.first_timestamp_s),
                  2)
         << " fps)";
    }
    os << "; " << c.dropped << " dropped, " << c.duplicates << " duplicated, " << c.overflow
       << " overflow, " << c.late << " late, absent from " << c.missing_in_sets << " sets";
    if (c.timed_out) os << "; timed out";
    if (c.ended && !c.end_reason.empty()) os << "; stopped: " << c.end_reason;
    os << "\n";
  }
  return os.str();
}

Json SyncReport::ToJson() const {
  Json j = Json::MakeObject();
  j["frame_sets"] = Json(frame_sets);
  j["complete_sets"] = Json(complete_sets);
  Json cams = Json::MakeArray();
  for (const auto& c : cameras) {
    Json o = Json::MakeObject();
    o["name"] = Json(c.name);
    o["received"] = Json(c.received);
    o["used"] = Json(c.used);
    o["dropped"] = Json(c.dropped);
    o["duplicates"] = Json(c.duplicates);
    o["overflow"] = Json(c.overflow);
    o["late"] = Json(c.late);
    o["timeouts"] = Json(c.timeouts);
    o["missing_in_sets"] = Json(c.missing_in_sets);
    o["timed_out"] = Json(c.timed_out);
    o["ended"] = Json(c.ended);
    o["end_reason"] = Json(c.end_reason);
    cams.push_back(std::move(o));
  }
  j["cameras"] = std::move(cams);
  return j;
}

Synchronizer::Synchronizer(std::vector<std::unique_ptr<FrameSource>> sources, SyncOptions options)
    : sources_(std::move(sources)), options_(options) {
  options_.Check();
}

Synchronizer::~Synchronizer() { Stop(); }

std::vector<std::string> Synchronizer::camera_names() const {
  std::vector<std::string> names;
  for (const auto& s : sources_) names.push_back(s->name());
  return names;
}

void Synchronizer::Start() {
  HL_CHECK_MSG(!assembler_, "Synchronizer::Start called twice");
  if (sources_.empty()) throw Error("synchronizer", "no camera given");
  for (auto& s : sources_) s->OpenOrThrow();
  fps_ = options_.fps;
  if (fps_ <= 0) {
    for (const auto& s : sources_) fps_ = std::max(fps_, s->fps());
  }
  if (!(fps_ > 0)) {
    throw Error(sources_[0]->name(), "frame rate unknown; give it (--fps) or record timestamps");
  }
  assembler_ = std::make_unique<SetAssembler>(camera_names(), options_, fps_, Clock::now());
  for (size_t i = 0; i < sources_.size(); ++i)
    threads_.emplace_back(&Synchronizer::GrabLoop, this, i);
}

void Synchronizer::GrabLoop(size_t cam) {
  FrameSource& source = *sources_[cam];
  const bool drop_when_full =
      options_.full_queue == SyncOptions::FullQueue::kDropOldest ||
      (options_.full_queue == SyncOptions::FullQueue::kAuto && source.live());
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    Frame frame;
    bool ok = false;
    std::string reason;
    try {
      ok = source.Grab(&frame);
      if (!ok) reason = source.failure();
    } catch (const std::exception& e) {
      // A thread must not let an exception escape; the camera just stops.
      reason = e.what();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ok) {
      assembler_->End(cam, reason);
      frame_arrived_.notify_all();
      return;
    }
    if (!drop_when_full) {
      space_freed_.wait(lock,
                        [&] { return stop_ || assembler_->queued(cam) < options_.queue_capacity; });
    }
    if (stop_) return;
    assembler_->Push(cam, std::move(frame), drop_when_full, Clock::now());
    frame_arrived_.notify_all();
  }
}

bool Synchronizer::Next(FrameSet* set) {
  std::unique_lock<std::mutex> lock(mutex_);
  HL_CHECK_MSG(assembler_ != nullptr, "Synchronizer::Next before Start");
  while (!stop_) {
    const auto step = assembler_->TryEmit(set, Clock::now());
    if (step == SetAssembler::Step::kEmitted) {
      space_freed_.notify_all();
      return true;
    }
    if (step == SetAssembler::Step::kDone) return false;
    frame_arrived_.wait_until(lock, assembler_->NextDeadline());
  }
  return false;
}

void Synchronizer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  frame_arrived_.notify_all();
  space_freed_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

SyncReport Synchronizer::report() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (assembler_) return assembler_->report();
  SyncReport r;
  for (const auto& s : sources_) r.cameras.push_back(CameraSyncStats{s->name()});
  return r;
}

OfflineSyncResult SyncTimestampStreams(const std::vector<std::string>& names,
                                       const std::vector<std::vector<double>>& timestamps_s,
                                       const SyncOptions& options) {
  if (names.size() != timestamps_s.size()) {
    throw Error("synchronizer", std::to_string(names.size()) + " camera names for " +
                                    std::to_string(timestamps_s.size()) + " timestamp streams");
  }
  if (!(options.fps > 0)) throw Error("synchronizer", "offline assembly needs the frame rate");
  const auto start = Clock::now();
  SetAssembler assembler(names, options, options.fps, start);
  for (size_t cam = 0; cam < names.size(); ++cam) {
    for (size_t k = 0; k < timestamps_s[cam].size(); ++k) {
      Frame f;
      f.index = static_cast<int64_t>(k);
      f.timestamp_s = timestamps_s[cam][k];
      assembler.Push(cam, std::move(f), /*drop_when_full=*/false, start);
    }
    assembler.End(cam, "");
  }
  OfflineSyncResult result;
  FrameSet set;
  while (assembler.TryEmit(&set, start) == SetAssembler::Step::kEmitted) {
    OfflineFrameSet o;
    o.index = set.index;
    o.timestamp_s = set.timestamp_s;
    for (const auto& f : set.frames) o.position.push_back(f ? f->index : -1);
    result.sets.push_back(std::move(o));
  }
  result.report = assembler.report();
  return result;
}

}  // namespace hl
