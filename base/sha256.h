// SHA-256 of a byte string, as lowercase hex (OpenSSL's libcrypto).
#ifndef BENCHFLEET_BASE_SHA256_H_
#define BENCHFLEET_BASE_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace benchfleet {

// 64 lowercase hex digits.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace benchfleet

#endif  // BENCHFLEET_BASE_SHA256_H_
