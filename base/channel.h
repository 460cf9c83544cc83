// Client channels to the coordinator, shared by the agent, fleetctl, tests
// and benchmarks: TLS (and mutual TLS) when certificates are given, the
// bearer token on every call, message-size limits and the keepalive settings
// the coordinator accepts.
#ifndef BENCHFLEET_BASE_CHANNEL_H_
#define BENCHFLEET_BASE_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace benchfleet {

// Largest message either side sends or accepts.
inline constexpr int kMaxMessageBytes = 16 << 20;
// Client keepalive ping interval; the coordinator permits pings this often.
inline constexpr int kKeepaliveTimeMs = 20000;
inline constexpr int kKeepaliveTimeoutMs = 10000;

struct ChannelOptions {
  std::string target;         // host:port
  std::string tls_ca_file;    // PEM roots; empty = plaintext
  std::string tls_cert_file;  // PEM client certificate for mutual TLS
  std::string tls_key_file;   // PEM client key for mutual TLS
  std::string token;          // sent as "authorization: Bearer <token>"
  int channel_index = 0;      // distinct values force distinct connections
};

// INVALID_ARGUMENT naming a certificate file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ChannelOptions& options);

// The token from `file` when set, else from the environment variable
// `env_var`, else empty. Tokens never come from the command line, where
// other users of the machine could read them. Surrounding whitespace is
// dropped. NOT_FOUND when `file` cannot be read.
absl::StatusOr<std::string> ReadToken(const std::string& file, const char* env_var);

// Reads a whole file; NOT_FOUND names it when it cannot be read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace benchfleet

#endif  // BENCHFLEET_BASE_CHANNEL_H_
