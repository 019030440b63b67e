#include "core/c3d.h"
#include "core/csv_recording.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/recording.h"
#include "core/trc.h"

namespace hl {

Recording ReadRecording(const std::filesystem::path& path) {
  const std::string ext = LowerExtension(path);
  if (ext == "c3d") return ReadC3d(path);
  if (ext == "trc") return ReadTrc(path);
  if (ext == "csv") return ReadCsvRecording(path);
  throw Error(path.string(), "unknown recording format '." + ext + "'; use .c3d, .trc or .csv");
}

void WriteRecording(const std::filesystem::path& path, const Recording& recording) {
  const std::string ext = LowerExtension(path);
  if (ext == "c3d") return WriteC3d(path, recording);
  if (ext == "trc") return WriteTrc(path, recording);
  if (ext == "csv") return WriteCsvRecording(path, recording);
  throw Error(path.string(), "unknown recording format '." + ext + "'; use .c3d, .trc or .csv");
}

}  // namespace hl
