#pragma once

// Errors and checks.
//
// Bad user input (a file, a camera, a flag) throws hl::Error, which names the
// thing that is wrong and what to do: the command line prints it as
// "error: <where>: <what>" and exits 1. Broken internal invariants are
// HL_CHECKs: they abort with the expression, because they are our bugs.

#include <stdexcept>
#include <string>

namespace hl {

class Error : public std::runtime_error {
 public:
  // `where` is the file, camera or option at fault; `what` says what is wrong
  // and, where possible, what to do about it.
  Error(std::string where, std::string what)
      : std::runtime_error(where.empty() ? what : where + ": " + what),
        where_(std::move(where)),
        message_(std::move(what)) {}

  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  std::string where_;
  std::string message_;
};

// A command-line usage error (unknown flag, missing argument): exit status 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace hl

#define HL_CHECK(cond)                                          \
  do {                                                          \
    if (!(cond)) ::hl::CheckFailed(#cond, __FILE__, __LINE__, ""); \
  } while (0)

#define HL_CHECK_MSG(cond, msg)                                   \
  do {                                                            \
    if (!(cond)) ::hl::CheckFailed(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
