#pragma once

// Subcommand registry and argument parsing for `hingelab`.
//
// Each subcommand lives in its own app/cmd_<name>.cc and registers itself:
//   HL_REGISTER_COMMAND(info_command, {"info", "summary of a file", "FILE [--json]",
//                                      {{"json", false, "print one JSON object"}}, RunInfo});

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hl::app {

struct OptionSpec {
  std::string name;     // without the leading dashes
  bool takes_value;     // --name VALUE (or --name=VALUE); else a flag
  std::string help;
};

class Args;

struct CommandSpec {
  std::string name;
  std::string summary;
  std::string usage;  // after "hingelab NAME "
  std::vector<OptionSpec> options;
  int (*run)(const Args& args);
  int max_positional = -1;  // -1: any number
};

class Args {
 public:
  Args(const CommandSpec& spec, const std::vector<std::string>& argv);  // throws UsageError

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const;
  // The value of a one-value option; throws UsageError when absent or given twice.
  const std::string& value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> values(const std::string& name) const;
  double number(const std::string& name, double fallback) const;
  const CommandSpec& spec() const { return spec_; }

 private:
  const CommandSpec& spec_;
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> options_;
};

// Splits NAME=VALUE; throws UsageError naming the option when there is no '='.
std::pair<std::string, std::string> SplitNameValue(const std::string& text, const std::string& option);

// Parses --size's WxH (16x16 to 8192x8192); throws UsageError otherwise.
std::pair<int, int> ParseImageSize(const std::string& text);

std::vector<CommandSpec>& Registry();
struct Registrar {
  explicit Registrar(CommandSpec spec) { Registry().push_back(std::move(spec)); }
};

// True when stdout/stderr is a terminal (progress output only then).
bool StderrIsTerminal();

}  // namespace hl::app

#define HL_REGISTER_COMMAND(var, ...) static ::hl::app::Registrar var(::hl::app::CommandSpec __VA_ARGS__)
