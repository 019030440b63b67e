// hingelab: one program, one subcommand per app/cmd_*.cc.
//
// Exit status: 0 success, 2 usage error, 1 bad input or failure. Errors are
// one line on stderr, "error: <file or camera>: <what is wrong and what to do>".

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "app/command.h"
#include "core/error.h"

namespace {

void PrintMainHelp() {
  auto& reg = hl::app::Registry();
  std::sort(reg.begin(), reg.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::printf("hingelab %s: marker-based motion capture for the hip hinge\n\n", HL_VERSION);
  std::printf("usage: hingelab COMMAND [options]\n       hingelab COMMAND --help\n\ncommands:\n");
  for (const auto& c : reg) std::printf("  %-12s %s\n", c.name.c_str(), c.summary.c_str());
}

void PrintCommandHelp(const hl::app::CommandSpec& c) {
  std::printf("usage: hingelab %s %s\n\n%s\n", c.name.c_str(), c.usage.c_str(), c.summary.c_str());
  if (!c.options.empty()) std::printf("\noptions:\n");
  for (const auto& o : c.options) {
    std::string flag = (o.name.size() == 1 ? "-" : "--") + o.name + (o.takes_value ? " VALUE" : "");
    std::printf("  %-26s %s\n", flag.c_str(), o.help.c_str());
  }
}

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintMainHelp();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("hingelab %s\n", HL_VERSION);
    return 0;
  }
  const hl::app::CommandSpec* spec = nullptr;
  for (const auto& c : hl::app::Registry()) {
    if (c.name == args[0]) spec = &c;
  }
  if (!spec) {
    std::fprintf(stderr, "usage error: unknown command '%s'; see 'hingelab --help'\n", args[0].c_str());
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
      std::find(rest.begin(), rest.end(), "-h") != rest.end()) {
    PrintCommandHelp(*spec);
    return 0;
  }
  try {
    hl::app::Args parsed(*spec, rest);
    return spec->run(parsed);
  } catch (const hl::UsageError& e) {
    std::fprintf(stderr, "usage error: %s; see 'hingelab %s --help'\n", e.what(), spec->name.c_str());
    return 2;
  } catch (const hl::Error& e) {
    std::fprintf(stderr, "error: %s\n", OneLine(e.what()).c_str());
    return 1;
  } catch (const cv::Exception& e) {
    std::fprintf(stderr, "error: opencv: %s\n", OneLine(e.what()).c_str());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory; the input may be corrupt or too large\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", OneLine(e.what()).c_str());
    return 1;
  }
}
