// Child processes for end-to-end tests: start a binary with arguments and a
// log file, signal it, wait for it. The destructor kills what is still
// running, so a failing test leaves nothing behind.
#ifndef BENCHFLEET_TESTS_SUBPROCESS_H_
#define BENCHFLEET_TESTS_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace benchfleet::testing {

class Subprocess {
 public:
  Subprocess() = default;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  // Starts `argv` with stdout and stderr appended to `log_path`.
  absl::Status Start(const std::vector<std::string>& argv,
                     const std::string& log_path);
  // Sends `signal` (e.g. SIGTERM, SIGKILL).
  void Signal(int signal);
  // Waits up to `timeout` for exit; returns the exit status (128 + signal
  // when killed) or DEADLINE_EXCEEDED.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Absolute path of a runfile such as "benchfleet/agent/agent".
std::string Runfile(const std::string& path);

// Waits until `path` holds a positive integer (a port), up to `timeout`.
absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                    absl::Duration timeout);

}  // namespace benchfleet::testing

#endif  // BENCHFLEET_TESTS_SUBPROCESS_H_
