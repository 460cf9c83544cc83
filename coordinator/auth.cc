#include "coordinator/auth.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/channel.h"
#include "base/sha256.h"

namespace benchfleet::coordinator {

absl::StatusOr<Role> ParseRole(const std::string& text) {
  if (text == "agent") return Role::kAgent;
  if (text == "reader") return Role::kReader;
  if (text == "admin") return Role::kAdmin;
  return absl::InvalidArgumentError(
      absl::StrCat("role = \"", text, "\": use agent, reader or admin"));
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAgent: return "agent";
    case Role::kReader: return "reader";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

absl::StatusOr<TokenRegistry> TokenRegistry::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<TokenRegistry> TokenRegistry::Parse(const std::string& text,
                                                   const std::string& filename) {
  TokenRegistry registry;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(filename, ": line ", line_number, ": ", why));
    };
    if (fields.size() != 3) return bad("expected: ROLE NAME SHA256");
    absl::StatusOr<Role> role = ParseRole(fields[0]);
    if (!role.ok()) return bad(role.status().message());
    const std::string& hash = fields[2];
    if (hash.size() != 64 ||
        hash.find_first_not_of("0123456789abcdef") != std::string::npos)
      return bad("the hash must be 64 lowercase hex digits (sha256 of the token)");
    if (!registry.by_hash_.emplace(hash, Principal{fields[1], *role}).second)
      return bad("this token hash appears twice");
  }
  return registry;
}

const Principal* TokenRegistry::Find(const std::string& token) const {
  auto it = by_hash_.find(Sha256Hex(token));
  return it == by_hash_.end() ? nullptr : &it->second;
}

std::string TokenRegistry::NewToken() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string TokenRegistry::Line(Role role, const std::string& name,
                                const std::string& token) {
  return absl::StrCat(RoleName(role), " ", name, " ", Sha256Hex(token));
}

grpc::Status Authorize(const grpc::ServerContext& context,
                       const TokenRegistry* tokens, Role required, Principal* who) {
  if (tokens == nullptr) {
    if (who) *who = Principal{"anonymous", Role::kAdmin};
    return grpc::Status::OK;
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end())
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing \"authorization: Bearer <token>\" metadata");
  absl::string_view header(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&header, "Bearer "))
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "authorization metadata must be \"Bearer <token>\"");
  const Principal* principal = tokens->Find(std::string(header));
  if (principal == nullptr)
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  const bool allowed = required == Role::kAgent
                           ? principal->role == Role::kAgent
                           : principal->role != Role::kAgent &&
                                 (required == Role::kReader ||
                                  principal->role == Role::kAdmin);
  if (!allowed)
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("\"", principal->name, "\" has role ",
                                     RoleName(principal->role), "; this call needs ",
                                     RoleName(required)));
  if (who) *who = *principal;
  return grpc::Status::OK;
}

bool AgentIdAllowed(const std::string& name, const std::string& agent_id) {
  if (absl::EndsWith(name, "*"))
    return absl::StartsWith(agent_id, name.substr(0, name.size() - 1));
  return name == agent_id;
}

}  // namespace benchfleet::coordinator
