#include "tests/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace benchfleet::testing {
namespace {

void SetNonBlocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Closes with a reset rather than a FIN, as a broken network path would.
void Reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

}  // namespace

// One proxied connection: bytes read from one side wait in a buffer until
// the other side takes them.
struct TcpProxy::Pipe {
  int fd[2] = {-1, -1};    // 0: the client side, 1: the coordinator side
  std::string pending[2];  // bytes read from side i, to be written to 1 - i
  bool eof[2] = {false, false};
};

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 64) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat("proxy cannot listen: ", error));
  }
  SetNonBlocking(fd);
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("pipe: ", strerror(errno)));
  }
  std::unique_ptr<TcpProxy> proxy(
      new TcpProxy(fd, ntohs(addr.sin_port), target_port, wake[0], wake[1]));
  proxy->thread_ = std::thread([p = proxy.get()] { p->Loop(); });
  return proxy;
}

TcpProxy::TcpProxy(int listen_fd, int port, int target_port, int wake_read,
                   int wake_write)
    : listen_fd_(listen_fd),
      port_(port),
      target_port_(target_port),
      wake_read_(wake_read),
      wake_write_(wake_write) {}

TcpProxy::~TcpProxy() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  close(listen_fd_);
  close(wake_read_);
  close(wake_write_);
}

void TcpProxy::Wake() {
  const char byte = 1;
  (void)!write(wake_write_, &byte, 1);
}

void TcpProxy::Cut(Mode mode) {
  {
    absl::MutexLock lock(&mu_);
    mode_ = mode;
    cut_requested_ = true;
  }
  Wake();
  // Returns once the loop has reset the connections.
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !cut_requested_ || stopping_;
  };
  mu_.Await(absl::Condition(&done));
}

void TcpProxy::Stall() {
  {
    absl::MutexLock lock(&mu_);
    mode_ = Mode::kStall;
  }
  Wake();
}

void TcpProxy::Restore() {
  {
    absl::MutexLock lock(&mu_);
    mode_ = Mode::kForward;
  }
  Wake();
}

int TcpProxy::connections() const {
  absl::MutexLock lock(&mu_);
  return connections_;
}

void TcpProxy::Loop() {
  std::vector<Pipe> pipes;
  auto close_all = [&pipes] {
    for (Pipe& p : pipes) {
      Reset(p.fd[0]);
      Reset(p.fd[1]);
    }
    pipes.clear();
  };
  while (true) {
    Mode mode;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      if (cut_requested_) {
        close_all();
        cut_requested_ = false;
      }
      mode = mode_;
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_read_, POLLIN, 0});
    if (mode != Mode::kStall) fds.push_back({listen_fd_, POLLIN, 0});
    const size_t first_pipe = fds.size();
    if (mode == Mode::kForward) {
      for (const Pipe& p : pipes) {
        for (int side = 0; side < 2; ++side) {
          short events = 0;
          // Read a side only when its bytes have somewhere to go.
          if (!p.eof[side] && p.pending[side].empty()) events |= POLLIN;
          if (!p.pending[1 - side].empty()) events |= POLLOUT;
          fds.push_back({p.fd[side], events, 0});
        }
      }
    }
    if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (read(wake_read_, drain, sizeof(drain)) > 0) {
      }
    }
    if (mode != Mode::kStall && (fds[1].revents & POLLIN)) {
      while (true) {
        const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) break;
        if (mode == Mode::kRefuse) {
          Reset(client);
          continue;
        }
        const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in target = Loopback(target_port_);
        if (upstream < 0 ||
            connect(upstream, reinterpret_cast<sockaddr*>(&target),
                    sizeof(target)) != 0) {
          Reset(client);
          if (upstream >= 0) close(upstream);
          continue;
        }
        const int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        SetNonBlocking(client);
        SetNonBlocking(upstream);
        Pipe p;
        p.fd[0] = client;
        p.fd[1] = upstream;
        pipes.push_back(std::move(p));
        absl::MutexLock lock(&mu_);
        ++connections_;
      }
    }
    if (mode != Mode::kForward) continue;
    // Pipes accepted in this round have no pollfd yet; they are served next
    // round. Only the first `served` pipes line up with fds.
    const size_t served = (fds.size() - first_pipe) / 2;
    std::vector<bool> dead(pipes.size(), false);
    for (size_t i = 0; i < served; ++i) {
      Pipe& p = pipes[i];
      for (int side = 0; side < 2 && !dead[i]; ++side) {
        const short revents = fds[first_pipe + 2 * i + side].revents;
        if (revents & (POLLIN | POLLHUP | POLLERR)) {
          char buffer[1 << 16];
          const ssize_t n = read(p.fd[side], buffer, sizeof(buffer));
          if (n > 0) {
            p.pending[side].append(buffer, static_cast<size_t>(n));
          } else if (n == 0) {
            p.eof[side] = true;
          } else if (errno != EAGAIN && errno != EINTR) {
            dead[i] = true;
          }
        }
        if (!dead[i] && (revents & POLLOUT) && !p.pending[1 - side].empty()) {
          // send(MSG_NOSIGNAL), not write(): a peer that reset its end
          // must end this pipe, not kill the test with SIGPIPE.
          const ssize_t n = send(p.fd[side], p.pending[1 - side].data(),
                                 p.pending[1 - side].size(), MSG_NOSIGNAL);
          if (n > 0) {
            p.pending[1 - side].erase(0, static_cast<size_t>(n));
          } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            dead[i] = true;
          }
        }
      }
      // A side that closed: pass the close on once its bytes are delivered.
      for (int side = 0; side < 2 && !dead[i]; ++side) {
        if (p.eof[side] && p.pending[side].empty())
          shutdown(p.fd[1 - side], SHUT_WR);
      }
      if (p.eof[0] && p.eof[1] && p.pending[0].empty() && p.pending[1].empty())
        dead[i] = true;
    }
    for (size_t i = pipes.size(); i-- > 0;) {
      if (!dead[i]) continue;
      Reset(pipes[i].fd[0]);
      Reset(pipes[i].fd[1]);
      pipes.erase(pipes.begin() + static_cast<long>(i));
    }
  }
  close_all();
  absl::MutexLock lock(&mu_);
  cut_requested_ = false;
}

}  // namespace benchfleet::testing
