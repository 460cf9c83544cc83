#include "spec/model_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"

namespace benchfleet::spec {
namespace {

constexpr absl::string_view kSuffixes[] = {".pt", ".pth", ".ts"};

// `path` for a message: quoted, NULs shown as \0, cut at 200 bytes.
std::string Quoted(absl::string_view path) {
  constexpr size_t kShown = 200;
  std::string shown;
  for (char c : path.substr(0, kShown)) {
    if (c == '\0') {
      shown += "\\0";
    } else {
      shown += c;
    }
  }
  if (path.size() > kShown) absl::StrAppend(&shown, "...");
  return absl::StrCat("\"", shown, "\"");
}

absl::Status ReadError(absl::string_view path, int error) {
  const std::string message = absl::StrCat(
      "TorchScript model file ", Quoted(path), ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EISDIR:
      return absl::InvalidArgumentError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

bool IsModelPath(absl::string_view model) {
  for (absl::string_view suffix : kSuffixes) {
    if (absl::EndsWith(model, suffix)) return true;
  }
  return false;
}

absl::Status ValidateModelPath(absl::string_view path) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("model path ", Quoted(path), ": ", why));
  };
  if (!IsModelPath(path)) {
    return bad("a TorchScript file must end in .pt, .pth or .ts");
  }
  if (path.size() > kMaxModelPathLength) {
    return bad(absl::StrCat("longer than ", kMaxModelPathLength, " bytes"));
  }
  if (path.find('\0') != absl::string_view::npos) {
    return bad("contains a NUL byte");
  }
  const size_t slash = path.rfind('/');
  const absl::string_view base =
      slash == absl::string_view::npos ? path : path.substr(slash + 1);
  for (absl::string_view suffix : kSuffixes) {
    if (base == suffix) return bad("no file name before the suffix");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadModelFile(absl::string_view path) {
  if (absl::Status valid = ValidateModelPath(path); !valid.ok()) return valid;
  const std::string name(path);
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReadError(path, errno);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return ReadError(path, error);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        "TorchScript model file ", Quoted(path), ": not a regular file"));
  }
  std::string bytes;
  bytes.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return ReadError(path, error);
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

absl::StatusOr<std::string> ModelFileDigest(absl::string_view path) {
  absl::StatusOr<std::string> bytes = ReadModelFile(path);
  if (!bytes.ok()) return bytes.status();
  return Sha256Hex(*bytes);
}

}  // namespace benchfleet::spec
