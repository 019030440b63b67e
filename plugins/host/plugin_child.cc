#include "plugins/host/plugin_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace hl::plugin_detail {
namespace {

// ---------------------------------------------------------------- encoding

void PutU32(uint32_t v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 4); }
void PutF64(double v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 8); }
void PutString(const std::string& s, std::string* out) {
  PutU32(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& where) : bytes_(bytes), where_(where) {}
  uint32_t U32() {
    uint32_t v;
    std::memcpy(&v, Take(4), 4);
    return v;
  }
  double F64() {
    double v;
    std::memcpy(&v, Take(8), 8);
    return v;
  }
  std::string String() {
    const uint32_t n = U32();
    return std::string(Take(n), n);
  }
  // A count of items each at least `min_bytes` long: bounded by what is left.
  uint32_t Count(size_t min_bytes) {
    const uint32_t n = U32();
    if (n > (bytes_.size() - pos_) / min_bytes) Fail();
    return n;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  [[noreturn]] void Fail() const {
    throw Error(where_, "the scoring process sent back a damaged result (" +
                            std::to_string(bytes_.size()) + " bytes)");
  }

 private:
  const char* Take(size_t n) {
    if (n > bytes_.size() - pos_) Fail();
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  const std::string& bytes_;
  const std::string& where_;
  size_t pos_ = 0;
};

constexpr uint32_t kResult = 0x52534c54;  // "RSLT"
constexpr uint32_t kError = 0x4552524f;   // "ERRO"

double TimeoutSeconds() {
  const char* env = std::getenv("HINGELAB_PLUGIN_TIMEOUT_S");
  if (env != nullptr) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && v > 0) return v;
  }
  return 60.0;
}

std::string SignalName(int sig) {
  const char* d = strsignal(sig);
  return std::to_string(sig) + (d != nullptr ? std::string(" (") + d + ")" : std::string());
}

void WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone or gave up: nothing to tell
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string EncodeScore(const PluginScore& score) {
  std::string out;
  PutU32(kResult, &out);
  PutU32(score.assessable ? 1 : 0, &out);
  PutString(score.message, &out);
  PutU32(static_cast<uint32_t>(score.missing_segments.size()), &out);
  for (const auto& s : score.missing_segments) PutString(s, &out);
  PutU32(static_cast<uint32_t>(score.reps.size()), &out);
  for (const RepScore& r : score.reps) {
    PutU32(static_cast<uint32_t>(r.start_frame), &out);
    PutU32(static_cast<uint32_t>(r.end_frame), &out);
    PutF64(r.score, &out);
    PutU32(static_cast<uint32_t>(r.grade), &out);
    PutU32(static_cast<uint32_t>(r.faults.size()), &out);
    for (size_t i = 0; i < r.faults.size(); ++i) {
      PutString(r.faults[i], &out);
      PutString(i < r.cues.size() ? r.cues[i] : std::string(), &out);
    }
    PutU32(static_cast<uint32_t>(r.metrics.size()), &out);
    for (const auto& [name, value] : r.metrics) {
      PutString(name, &out);
      PutF64(value, &out);
    }
  }
  return out;
}

PluginScore DecodeScore(const std::string& bytes, const std::string& where) {
  Reader in(bytes, where);
  const uint32_t kind = in.U32();
  if (kind == kError) {
    const std::string error_where = in.String();
    const std::string message = in.String();
    if (!in.AtEnd()) in.Fail();
    throw Error(error_where, message);
  }
  if (kind != kResult) in.Fail();
  PluginScore score;
  score.assessable = in.U32() != 0;
  score.message = in.String();
  for (uint32_t n = in.Count(4); n > 0; --n) score.missing_segments.push_back(in.String());
  for (uint32_t n = in.Count(28); n > 0; --n) {  // a rep without faults or metrics: 28 bytes
    RepScore r;
    r.start_frame = static_cast<int>(in.U32());
    r.end_frame = static_cast<int>(in.U32());
    r.score = in.F64();
    r.grade = static_cast<int>(in.U32());
    for (uint32_t f = in.Count(8); f > 0; --f) {
      r.faults.push_back(in.String());
      r.cues.push_back(in.String());
    }
    for (uint32_t m = in.Count(12); m > 0; --m) {
      std::string name = in.String();
      r.metrics.emplace_back(std::move(name), in.F64());
    }
    score.reps.push_back(std::move(r));
  }
  if (!in.AtEnd()) in.Fail();
  return score;
}

PluginScore ScoreInChild(const std::string& where, const std::function<PluginScore()>& score) {
  if (const char* env = std::getenv("HINGELAB_PLUGIN_IN_PROCESS"); env && std::strcmp(env, "1") == 0) {
    return score();
  }
  int fds[2];
  // Close-on-exec: a program another thread starts must not hold the write
  // end open (the parent would wait for an end of file that never comes).
  if (pipe2(fds, O_CLOEXEC) != 0) return score();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return score();
  }
  if (pid == 0) {
    // The child: score, send, and leave without the parent's exit handlers
    // (atexit, stdio buffers, sanitizer reports belong to the parent).
    close(fds[0]);
    std::string bytes;
    try {
      bytes = EncodeScore(score());
    } catch (const Error& e) {
      PutU32(kError, &bytes);
      PutString(e.where(), &bytes);
      PutString(e.message(), &bytes);
    } catch (const std::exception& e) {
      PutU32(kError, &bytes);
      PutString(where, &bytes);
      PutString(std::string("scoring failed: ") + e.what(), &bytes);
    }
    WriteAll(fds[1], bytes);
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  const double timeout_s = TimeoutSeconds();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  std::string bytes;
  bool timed_out = false;
  char buf[65536];
  for (;;) {
    const double left =
        std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min(left * 1000.0, 1e9)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline is checked above
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of the child's output
    bytes.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  // The child has closed its end (or the time is up); it still gets until the
  // deadline to exit, then it is killed: no wait without a bound.
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  bool reaped = false, status_known = true;
  while (!reaped) {
    const pid_t r = waitpid(pid, &status, timed_out ? 0 : WNOHANG);
    if (r == pid) {
      reaped = true;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0) {
      // ECHILD: SIGCHLD ignored or reaped elsewhere; the exit status is lost.
      reaped = true;
      status_known = false;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      timed_out = true;
    } else {
      usleep(1000);
    }
  }
  if (timed_out) {
    throw Error(where, "did not finish scoring within " + std::to_string(static_cast<int>(timeout_s)) +
                           " s and was stopped (HINGELAB_PLUGIN_TIMEOUT_S sets the limit); "
                           "report it to the plugin's author");
  }
  if (!status_known) {
    if (bytes.empty()) {
      throw Error(where, "the scoring process ended without a result (its exit status could not "
                         "be read); report it to the plugin's author");
    }
    return DecodeScore(bytes, where);
  }
  if (WIFSIGNALED(status)) {
    throw Error(where, "crashed while scoring (signal " + SignalName(WTERMSIG(status)) +
                           "); nothing else was affected; report it to the plugin's author or "
                           "remove it from the plugin folder");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // exit(N) in the plugin, or a sanitizer build's report of a crash.
    throw Error(where, "crashed while scoring (the scoring process ended with status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                           "); nothing else was affected; report it to the plugin's author");
  }
  if (bytes.empty()) {
    throw Error(where, "the scoring process ended without a result (the plugin called exit()); "
                       "report it to the plugin's author");
  }
  return DecodeScore(bytes, where);
}

}  // namespace hl::plugin_detail
