// The agent's spool: finished jobs whose results the coordinator has not
// acknowledged yet, kept on disk so that they survive a dropped network, a
// coordinator restart and a restart of the agent itself.
//
// One file per job attempt, "job-<job id>-<attempt>.spool", holding a
// v1.SpooledJob (the lease, every sample, the result). Save() writes a
// temporary file, fsyncs it, renames it into place and fsyncs the directory,
// so a crash leaves the old state or the whole new file, never a torn one.
// The agent saves a finished job before it sends the result, removes the
// file once the coordinator acknowledged the result, and replays whatever
// is left after reconnecting, also after it restarted (the coordinator
// stores replays once: the key is job, attempt, sequence).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Spool> spool, Spool::Open(dir));
//   RETURN_IF_ERROR(spool->Save(job));   // before sending the result
//   ... send the samples and the result, await the ack ...
//   spool->Remove(job.lease().job_id(), job.lease().attempt());
#ifndef BENCHFLEET_AGENT_SPOOL_H_
#define BENCHFLEET_AGENT_SPOOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/spool.pb.h"

namespace benchfleet::agent {

// Thread-safe.
class Spool {
 public:
  // Opens the spool directory `dir`, creating it and its parents (mode 0700)
  // when missing, and deletes temporary files an interrupted Save() left.
  // The directory stays locked (flock on "<dir>/.lock") while the Spool
  // lives: FAILED_PRECONDITION when another Spool, in this process or
  // another, holds it. UNAVAILABLE (naming the path and the OS error) when
  // the directory cannot be created or is not writable.
  static absl::StatusOr<std::unique_ptr<Spool>> Open(const std::string& dir);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Writes `job` durably (see above), replacing an earlier file of the same
  // job and attempt. UNAVAILABLE on an I/O error (a full disk); then no
  // spooled file has changed.
  absl::Status Save(const v1::SpooledJob& job);
  // Deletes the file of (`job_id`, `attempt`); OK when there is none.
  absl::Status Remove(int64_t job_id, int32_t attempt);
  // Moves the file of (`job_id`, `attempt`) aside as "<name>.rejected", for
  // an operator to inspect: the coordinator refused it for good.
  absl::Status Reject(int64_t job_id, int32_t attempt);
  // Every spooled job, by job id then attempt. A file that does not parse is
  // renamed to "<name>.corrupt", skipped, and described in `warnings` (may
  // be null). UNAVAILABLE when the directory cannot be read.
  absl::StatusOr<std::vector<v1::SpooledJob>> Load(
      std::vector<std::string>* warnings);

  // The path of the file of (`job_id`, `attempt`), spooled or not.
  std::string PathOf(int64_t job_id, int32_t attempt) const;
  const std::string& dir() const { return dir_; }

 private:
  Spool(std::string dir, int lock_fd)
      : dir_(std::move(dir)), lock_fd_(lock_fd) {}

  const std::string dir_;
  const int lock_fd_;  // holds the flock
  absl::Mutex mu_;     // serialises file operations
};

// The default spool directory of `agent_id`, following the XDG base
// directory specification: $XDG_STATE_HOME/benchfleet/spool-<agent_id>, else
// $HOME/.local/state/benchfleet/spool-<agent_id>; empty when neither
// variable is set.
std::string DefaultSpoolDir(const std::string& agent_id);

}  // namespace benchfleet::agent

#endif  // BENCHFLEET_AGENT_SPOOL_H_
