#include "agent/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace benchfleet::agent {
namespace {

constexpr absl::string_view kSuffix = ".spool";
constexpr absl::string_view kTempPrefix = ".tmp-";

absl::Status OsError(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("spool: ", what, " ", path, ": ", strerror(errno)));
}

// Creates `dir` and its missing parents.
absl::Status MakeDirs(const std::string& dir) {
  std::string path;
  for (absl::string_view part : absl::StrSplit(dir, '/')) {
    if (part.empty()) {
      if (path.empty()) path = "/";
      continue;
    }
    if (!path.empty() && path.back() != '/') path += '/';
    absl::StrAppend(&path, part);
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
      return OsError("cannot create directory", path);
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return OsError("cannot stat", dir);
  if (!S_ISDIR(st.st_mode))
    return absl::UnavailableError(
        absl::StrCat("spool: ", dir, " is not a directory"));
  return absl::OkStatus();
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Makes a rename or unlink in `dir` durable.
absl::Status SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open directory", dir);
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return OsError("cannot fsync directory", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return OsError("cannot read directory", dir);
  std::vector<std::string> names;
  while (const dirent* entry = readdir(d)) names.emplace_back(entry->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Parses "job-<id>-<attempt>.spool".
bool ParseName(absl::string_view name, int64_t* job_id, int32_t* attempt) {
  if (!absl::ConsumePrefix(&name, "job-") ||
      !absl::ConsumeSuffix(&name, kSuffix))
    return false;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(name, absl::MaxSplits('-', 1));
  return absl::SimpleAtoi(parts.first, job_id) &&
         absl::SimpleAtoi(parts.second, attempt);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const std::string& dir) {
  if (dir.empty())
    return absl::InvalidArgumentError("spool: empty directory name");
  if (absl::Status made = MakeDirs(dir); !made.ok()) return made;
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return OsError("cannot write to", dir);
  // Two agent processes sharing a spool would replay and delete each
  // other's jobs.
  const std::string lock_path = dir + "/.lock";
  const int lock_fd =
      open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return OsError("cannot open", lock_path);
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    absl::Status error =
        busy ? absl::FailedPreconditionError(absl::StrCat(
                   "spool: ", dir, " is in use by another agent process"))
             : OsError("cannot lock", lock_path);
    close(lock_fd);
    return error;
  }
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) {
    close(lock_fd);
    return names.status();
  }
  for (const std::string& name : *names) {
    // A Save() that crashed before its rename: the job is either spooled
    // under its real name already, or was never acknowledged as spooled.
    if (absl::StartsWith(name, kTempPrefix)) unlink((dir + "/" + name).c_str());
  }
  return std::unique_ptr<Spool>(new Spool(dir, lock_fd));
}

Spool::~Spool() { close(lock_fd_); }

std::string Spool::PathOf(int64_t job_id, int32_t attempt) const {
  return absl::StrCat(dir_, "/job-", job_id, "-", attempt, kSuffix);
}

absl::Status Spool::Save(const v1::SpooledJob& job) {
  absl::MutexLock lock(&mu_);
  const std::string path = PathOf(job.lease().job_id(), job.lease().attempt());
  const std::string temp =
      absl::StrCat(dir_, "/", kTempPrefix, "job-", job.lease().job_id(), "-",
                   job.lease().attempt(), kSuffix);
  std::string bytes;
  if (!job.SerializeToString(&bytes))
    return absl::InternalError("spool: cannot serialize the job");
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return OsError("cannot create", temp);
  // fsync before rename: otherwise a crash may leave the new name pointing
  // at an empty file (ext4 and xfs reorder data and metadata writes).
  if (!WriteAll(fd, bytes) || fsync(fd) != 0) {
    absl::Status error = OsError("cannot write", temp);
    close(fd);
    unlink(temp.c_str());
    return error;
  }
  if (close(fd) != 0) {
    absl::Status error = OsError("cannot close", temp);
    unlink(temp.c_str());
    return error;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status error = OsError("cannot rename into", path);
    unlink(temp.c_str());
    return error;
  }
  return SyncDir(dir_);
}

absl::Status Spool::Remove(int64_t job_id, int32_t attempt) {
  absl::MutexLock lock(&mu_);
  const std::string path = PathOf(job_id, attempt);
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return OsError("cannot delete", path);
  }
  return SyncDir(dir_);
}

absl::Status Spool::Reject(int64_t job_id, int32_t attempt) {
  absl::MutexLock lock(&mu_);
  const std::string path = PathOf(job_id, attempt);
  const std::string aside = path + ".rejected";
  if (rename(path.c_str(), aside.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return OsError("cannot rename", path);
  }
  return SyncDir(dir_);
}

absl::StatusOr<std::vector<v1::SpooledJob>> Spool::Load(
    std::vector<std::string>* warnings) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir_);
  if (!names.ok()) return names.status();
  std::vector<v1::SpooledJob> jobs;
  for (const std::string& name : *names) {
    int64_t job_id = 0;
    int32_t attempt = 0;
    if (!ParseName(name, &job_id, &attempt)) continue;
    const std::string path = absl::StrCat(dir_, "/", name);
    std::string bytes;
    bool read_ok = false;
    if (const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
      char buffer[1 << 16];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0 ||
             (n < 0 && errno == EINTR)) {
        if (n > 0) bytes.append(buffer, static_cast<size_t>(n));
      }
      read_ok = n == 0;
      close(fd);
    }
    if (!read_ok) return OsError("cannot read", path);
    v1::SpooledJob job;
    if (!job.ParseFromString(bytes) || job.lease().job_id() != job_id ||
        job.lease().attempt() != attempt || !job.has_result()) {
      const std::string aside = path + ".corrupt";
      rename(path.c_str(), aside.c_str());
      if (warnings)
        warnings->push_back(absl::StrCat(
            "spool: ", path, " does not hold a spooled job; moved to ", aside));
      continue;
    }
    jobs.push_back(std::move(job));
  }
  std::sort(jobs.begin(), jobs.end(),
            [](const v1::SpooledJob& a, const v1::SpooledJob& b) {
              return std::make_tuple(a.lease().job_id(), a.lease().attempt()) <
                     std::make_tuple(b.lease().job_id(), b.lease().attempt());
            });
  return jobs;
}

std::string DefaultSpoolDir(const std::string& agent_id) {
  std::string base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) {
    base = state;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = absl::StrCat(home, "/.local/state");
  } else {
    return "";
  }
  return absl::StrCat(base, "/benchfleet/spool-", agent_id);
}

}  // namespace benchfleet::agent
