// The input format of the agent-message fuzzer: a sequence of AgentMessages
// as one byte string, so libFuzzer's mutators and a committed seed file can
// describe a whole Connect session.
//
// The bytes are the wire encoding of
//
//   message AgentMessageList { repeated AgentMessage messages = 1; }
//
// i.e. each message as field 1, length-delimited, back to back.
//
//   std::string input = EncodeAgentMessages({hello, samples, result});
//   std::vector<v1::AgentMessage> session = DecodeAgentMessages(input, 64);
#ifndef BENCHFLEET_FUZZ_AGENT_MESSAGE_FRAMING_H_
#define BENCHFLEET_FUZZ_AGENT_MESSAGE_FRAMING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/agent_service.pb.h"

namespace benchfleet::fuzz {

// The first `max_messages` messages of `bytes`. Decoding stops at the first
// bytes that are not a complete field-1 frame; a frame that does not parse
// as an AgentMessage (e.g. a string that is not UTF-8, which a client stub
// would not send either) is skipped. Never fails.
std::vector<v1::AgentMessage> DecodeAgentMessages(absl::string_view bytes,
                                                  size_t max_messages);

// The inverse: DecodeAgentMessages(EncodeAgentMessages(m), m.size()) == m.
std::string EncodeAgentMessages(const std::vector<v1::AgentMessage>& messages);

// Silences what would log on every other input, thousands of lines a
// second: protobuf's log (an ERROR per frame that is not UTF-8) and
// std::cerr (the coordinator's line per refused session). Sanitizer,
// libFuzzer and the harnesses' own reports write to stderr directly and
// stay. Does nothing when the environment sets FUZZ_VERBOSE.
void QuietLogs();

}  // namespace benchfleet::fuzz

#endif  // BENCHFLEET_FUZZ_AGENT_MESSAGE_FRAMING_H_
