// A TCP proxy on loopback for end-to-end tests of network faults: agents
// dial the proxy, the proxy forwards to the coordinator, and the test cuts,
// stalls and restores the network in between.
//
//   absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(port);
//   agent --coordinator=127.0.0.1:<(*proxy)->port()>
//   (*proxy)->Cut(TcpProxy::Outage::kRefuse);  // connections reset, no new
//   ones
//   ...
//   (*proxy)->Restore();
#ifndef BENCHFLEET_TESTS_TCP_PROXY_H_
#define BENCHFLEET_TESTS_TCP_PROXY_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace benchfleet::testing {

// Thread-safe. One thread forwards every connection (poll, non-blocking).
class TcpProxy {
 public:
  enum class Mode {
    kForward,  // bytes flow both ways
    kRefuse,   // new connections are accepted and reset at once
    kStall,    // nothing moves: open connections keep their sockets but no
               // byte is forwarded, new connections wait unaccepted (a
               // silent network: neither side sees an error)
  };

  // Listens on 127.0.0.1:0 and forwards each connection to
  // 127.0.0.1:`target_port`. UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  // Closes every connection and stops the thread.
  ~TcpProxy();

  int port() const { return port_; }

  // Resets every open connection (both ends see the connection break), then
  // treats new connections as `mode` says until Restore().
  void Cut(Mode mode);
  // Stops forwarding without closing anything (see Mode::kStall).
  void Stall();
  // Forwards again: stalled connections resume where they were, new
  // connections are accepted and forwarded.
  void Restore();

  // Connections accepted and forwarded so far.
  int connections() const;

 private:
  struct Pipe;
  TcpProxy(int listen_fd, int port, int target_port, int wake_read,
           int wake_write);
  void Loop();
  void Wake();

  const int listen_fd_;
  const int port_;
  const int target_port_;
  const int wake_read_;
  const int wake_write_;

  mutable absl::Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kForward;
  bool cut_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace benchfleet::testing

#endif  // BENCHFLEET_TESTS_TCP_PROXY_H_
