// hingelab convert IN OUT: a recording from one format to another.

#include <cstdio>
#include <filesystem>
#include <string>

#include "app/command.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/recording.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

void RequireRecordingExtension(const fs::path& path) {
  const std::string ext = LowerExtension(path);
  if (ext != "c3d" && ext != "trc" && ext != "csv") {
    throw Error(path.string(), "unknown recording format '" + (ext.empty() ? "" : "." + ext) +
                                   "'; use .c3d, .trc or .csv");
  }
}

bool SameFile(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

int RunConvert(const Args& args) {
  if (args.positional().size() != 2) throw UsageError("convert needs IN and OUT");
  const fs::path in = args.positional()[0];
  const fs::path out = args.positional()[1];
  RequireRecordingExtension(in);
  RequireRecordingExtension(out);
  if (SameFile(in, out)) {
    throw Error(out.string(),
                "is the input file; convert never overwrites its input, choose "
                "another output name");
  }
  const Recording rec = ReadRecording(in);
  WriteRecording(out, rec);

  const std::string to = LowerExtension(out);
  const Trajectories& tr = rec.points;
  if (args.has("json")) {
    Json j = Json::MakeObject();
    j["input"] = in.string();
    j["output"] = out.string();
    j["from"] = rec.format;
    j["to"] = to;
    j["points"] = tr.num_labels();
    j["frames"] = tr.num_frames();
    j["rate_hz"] = tr.rate_hz();
    std::printf("%s\n", j.Dump().c_str());
  } else {
    std::printf("wrote %s: %d points x %d frames at %s Hz (%s -> %s)\n", out.string().c_str(),
                tr.num_labels(), tr.num_frames(), FormatDouble(tr.rate_hz()).c_str(),
                rec.format.c_str(), to.c_str());
  }
  // Say what the target format could not hold, so nobody is surprised later.
  if (to != "c3d" && rec.analog.num_channels() > 0) {
    std::fprintf(stderr, "note: %d analog channels not written; only C3D holds analog data\n",
                 rec.analog.num_channels());
  }
  if (to == "trc" && rec.format != "trc") {
    std::fprintf(stderr,
                 "note: TRC holds no residuals or camera counts; valid samples read back "
                 "with residual 0\n");
  }
  return 0;
}

HL_REGISTER_COMMAND(
    convert_command,
    {"convert",
     "a recording from one format to another (.c3d, .trc, .csv); TRC drops residuals and camera "
     "counts, TRC and CSV drop analog channels",
     "IN OUT [--json]",
     {{"json", false, "print one JSON object describing the conversion"}},
     RunConvert,
     2});

}  // namespace
}  // namespace hl::app
