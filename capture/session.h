#pragma once

// The session folder (design.md, "Session folder"):
//   SESSION/session.yml        format: hingelab-session-1; subject, date, rig, markers
//   SESSION/<take>/take.yml    kind, drill, fps, cameras, media format, times, status
// Both are OpenCV FileStorage YAML, written atomically (temp file + rename).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hl {

inline constexpr char kSessionFormat[] = "hingelab-session-1";
inline constexpr char kTakeFormat[] = "hingelab-take-1";

struct SessionInfo {
  std::string subject;               // free text (a name or a code)
  std::string date;                  // ISO 8601 day, "2024-05-01"
  std::string rig_file = "rig.yml";  // relative to the session folder
  std::string markers_file = "markers.yml";
};

struct TakeInfo {
  std::string kind = "drill";  // calibration | static | drill
  std::string drill;           // drill id for kind drill (drills.md), else empty
  double fps = 0.0;            // nominal frames per second
  std::vector<std::string> cameras;
  std::string media = "png";         // png | mjpg | ffv1: <camera>/NNNNNN.png or <camera>.mkv
  std::string start_time;            // ISO 8601 UTC, "2024-05-01T10:00:00Z"
  std::string end_time;              // empty while recording
  std::string status = "recording";  // recording | complete
  int64_t frame_sets = 0;            // written at the end
};

// Creates the folder when needed and writes session.yml.
void WriteSession(const std::filesystem::path& session_dir, const SessionInfo& info);
// Throws hl::Error naming session.yml when it is missing or malformed.
SessionInfo ReadSession(const std::filesystem::path& session_dir);
bool IsSessionFolder(const std::filesystem::path& dir);

// Take folder names (sub-folders holding take.yml), in natural order.
std::vector<std::string> ListTakes(const std::filesystem::path& session_dir);

void WriteTake(const std::filesystem::path& take_dir, const TakeInfo& info);
// Throws hl::Error naming take.yml when it is missing or malformed.
TakeInfo ReadTake(const std::filesystem::path& take_dir);

// "2024-05-01T10:00:00Z" for now.
std::string UtcTimestampNow();
// A take or camera name must be usable as a file name.
bool IsValidName(const std::string& name);

}  // namespace hl
