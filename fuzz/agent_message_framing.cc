#include "fuzz/agent_message_framing.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdlib>
#include <iostream>

namespace benchfleet::fuzz {
namespace {

using google::protobuf::internal::WireFormatLite;

constexpr uint32_t kMessageTag =
    (1 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

}  // namespace

std::vector<v1::AgentMessage> DecodeAgentMessages(absl::string_view bytes,
                                                  size_t max_messages) {
  std::vector<v1::AgentMessage> messages;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(bytes.data()),
      static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX)));
  std::string frame;
  while (messages.size() < max_messages && in.ReadTag() == kMessageTag) {
    uint32_t length = 0;
    if (!in.ReadVarint32(&length) ||
        !in.ReadString(&frame,
                       static_cast<int>(std::min<uint32_t>(length, INT32_MAX))))
      break;
    v1::AgentMessage message;
    if (message.ParseFromString(frame)) messages.push_back(std::move(message));
  }
  return messages;
}

std::string EncodeAgentMessages(const std::vector<v1::AgentMessage>& messages) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    for (const v1::AgentMessage& message : messages) {
      const std::string frame = message.SerializeAsString();
      out.WriteTag(kMessageTag);
      out.WriteVarint32(static_cast<uint32_t>(frame.size()));
      out.WriteString(frame);
    }
  }  // `out` flushes into `bytes` here
  return bytes;
}

void QuietLogs() {
  if (std::getenv("FUZZ_VERBOSE") != nullptr) return;
  google::protobuf::SetLogHandler(nullptr);
  std::cerr.rdbuf(nullptr);  // sets badbit: every later write is dropped
}

}  // namespace benchfleet::fuzz
