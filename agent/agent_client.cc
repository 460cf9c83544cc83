#include "agent/agent_client.h"

#include <iostream>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/grpc_status.h"

namespace benchfleet::agent {
namespace {

constexpr int kMaxMessageBytes = 16 << 20;

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

}  // namespace

// One connected stream: a reader thread takes leases and acks, a heartbeat
// thread keeps the lease alive, and the session thread runs jobs.
class AgentClient::Session {
 public:
  using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>;

  Session(AgentClient* client, Stream* stream, absl::Duration heartbeat)
      : client_(client), stream_(stream), heartbeat_(heartbeat) {}

  bool Write(const v1::AgentMessage& message) {
    std::lock_guard<std::mutex> lock(write_mu_);
    return stream_->Write(message);
  }

  void ReadLoop() {
    v1::CoordinatorMessage message;
    while (stream_->Read(&message)) {
      absl::MutexLock lock(&mu_);
      if (message.has_lease()) {
        leases_.push_back(message.lease());
      } else if (message.has_cancel()) {
        if (message.cancel().job_id() == client_->running_job_.load())
          client_->cancel_running_.store(true);
      } else if (message.has_ack() && message.ack().result_stored()) {
        acked_results_.push_back(message.ack().job_id());
      } else if (message.has_ack()) {
        auto it = batch_sent_.find({message.ack().job_id(), message.ack().samples_through()});
        if (it != batch_sent_.end()) {
          if (client_->options_.on_sample_ack)
            client_->options_.on_sample_ack(absl::Now() - it->second);
          batch_sent_.erase(it);
        }
      }
    }
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }

  void HeartbeatLoop() {
    absl::MutexLock lock(&mu_);
    while (!mu_.AwaitWithTimeout(absl::Condition(&ended_), heartbeat_)) {
      v1::AgentMessage beat;
      beat.mutable_heartbeat()->set_running_job_id(running_job_);
      mu_.Unlock();
      Write(beat);
      mu_.Lock();
    }
  }

  // Waits for a lease; nullopt when the stream ended.
  std::optional<v1::Lease> NextLease() {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
      return ended_ || !leases_.empty();
    };
    mu_.Await(absl::Condition(&ready));
    if (leases_.empty()) return std::nullopt;
    v1::Lease lease = std::move(leases_.front());
    leases_.pop_front();
    return lease;
  }

  // Waits until the result of `job_id` is acknowledged; false if the stream
  // ended first.
  bool AwaitResultAck(int64_t job_id) {
    absl::MutexLock lock(&mu_);
    auto ready = [this, job_id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
      if (ended_) return true;
      for (int64_t id : acked_results_)
        if (id == job_id) return true;
      return false;
    };
    mu_.Await(absl::Condition(&ready));
    for (int64_t id : acked_results_)
      if (id == job_id) return true;
    return false;
  }

  void SetRunning(int64_t job_id) {
    absl::MutexLock lock(&mu_);
    running_job_ = job_id;
  }

  bool ended() {
    absl::MutexLock lock(&mu_);
    return ended_;
  }

  // Sends `samples[from, to)` in batches; false when the stream broke.
  bool SendSamples(const std::vector<v1::Sample>& samples, size_t from,
                   size_t to, int per_batch) {
    while (from < to) {
      v1::AgentMessage message;
      const size_t end = std::min(to, from + per_batch);
      for (size_t i = from; i < end; ++i)
        *message.mutable_samples()->add_samples() = samples[i];
      if (client_->options_.on_sample_ack) {
        absl::MutexLock lock(&mu_);
        batch_sent_[{samples[end - 1].job_id(), samples[end - 1].sequence() + 1}] =
            absl::Now();
      }
      if (!Write(message)) return false;
      from = end;
    }
    return true;
  }

 private:
  AgentClient* client_;
  Stream* stream_;
  const absl::Duration heartbeat_;
  std::mutex write_mu_;
  absl::Mutex mu_;
  std::deque<v1::Lease> leases_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> acked_results_ ABSL_GUARDED_BY(mu_);
  // Send time of each sample batch, by (job, sequence after its last sample).
  std::map<std::pair<int64_t, int64_t>, absl::Time> batch_sent_ ABSL_GUARDED_BY(mu_);
  int64_t running_job_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

AgentClient::AgentClient(AgentClientOptions options, v1::HardwareReport hardware,
                         JobExecutor* executor)
    : options_(std::move(options)),
      hardware_(std::move(hardware)),
      executor_(executor),
      stub_(v1::AgentService::NewStub(MakeChannel(options_.coordinator))) {}

void AgentClient::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  cancel_running_.store(true);
  if (context_) context_->TryCancel();
}

absl::Status AgentClient::Run() {
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  absl::Status last = absl::OkStatus();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return last;
    }
    const absl::Time started = absl::Now();
    last = RunSession();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return last;
    }
    // A session that lasted a while was healthy: start backing off afresh.
    if (absl::Now() - started > options_.max_backoff)
      backoff = options_.initial_backoff;
    // Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
    // sleep uniformly in [0, backoff] so a restarted coordinator is not hit
    // by every agent at once.
    const absl::Duration sleep = absl::Nanoseconds(
        std::uniform_int_distribution<int64_t>(
            0, absl::ToInt64Nanoseconds(backoff))(rng));
    std::cerr << "agent: connection ended (" << last << "); retrying in "
              << sleep << "\n";
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), sleep);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::Status AgentClient::RunSession() {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    context_ = &context;
  }
  auto clear_context = [this] {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
  };
  std::unique_ptr<Session::Stream> stream = stub_->Connect(&context);

  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(options_.agent_id);
  *hello.mutable_hello()->mutable_hardware() = hardware_;
  hello.mutable_hello()->set_agent_version("0.1");
  hello.mutable_hello()->mutable_labels()->insert(options_.labels.begin(),
                                                  options_.labels.end());
  for (v1::DeviceKind device : options_.devices)
    hello.mutable_hello()->add_devices(device);
  for (v1::Precision precision : options_.precisions)
    hello.mutable_hello()->add_precisions(precision);
  v1::CoordinatorMessage welcome;
  if (!stream->Write(hello) || !stream->Read(&welcome) || !welcome.has_welcome()) {
    grpc::Status status = stream->Finish();
    clear_context();
    return status.ok() ? absl::UnavailableError("no welcome from coordinator")
                       : FromGrpcStatus(status);
  }
  std::cerr << "agent: connected to " << options_.coordinator << " as "
            << options_.agent_id << "\n";

  Session session(this, stream.get(),
                  absl::Milliseconds(std::max(
                      100, welcome.welcome().heartbeat_interval_ms())));
  std::thread reader([&] { session.ReadLoop(); });
  std::thread heartbeat([&] { session.HeartbeatLoop(); });

  // Replays a finished job the coordinator had not acknowledged.
  auto deliver = [&](PendingJob& job) {
    v1::AgentMessage result;
    *result.mutable_result() = *job.result;
    return session.SendSamples(job.samples, 0, job.samples.size(),
                               options_.samples_per_batch) &&
           session.Write(result) &&
           session.AwaitResultAck(job.lease.job_id());
  };

  bool healthy = true;
  {
    std::optional<PendingJob> replay;
    {
      absl::MutexLock lock(&mu_);
      replay = unacknowledged_;
    }
    if (replay) {
      healthy = deliver(*replay);
      if (healthy) {
        absl::MutexLock lock(&mu_);
        unacknowledged_.reset();
      }
    }
  }

  while (healthy) {
    std::optional<v1::Lease> lease = session.NextLease();
    if (!lease) break;
    PendingJob job;
    job.lease = *lease;
    session.SetRunning(lease->job_id());
    running_job_.store(lease->job_id());
    size_t sent = 0;
    absl::Time last_flush = absl::Now();
    bool stream_ok = true;
    v1::JobResult result = executor_->Execute(*lease, [&](const v1::Sample& s) {
      job.samples.push_back(s);
      if (!stream_ok) return;
      if (job.samples.size() - sent >= static_cast<size_t>(options_.samples_per_batch) ||
          absl::Now() - last_flush >= options_.flush_interval) {
        stream_ok = session.SendSamples(job.samples, sent, job.samples.size(),
                                        options_.samples_per_batch);
        sent = job.samples.size();
        last_flush = absl::Now();
      }
    }, cancel_running_);
    session.SetRunning(0);
    running_job_.store(0);
    {
      // Stop() wins over a Cancel from the coordinator: keep the flag then.
      absl::MutexLock lock(&mu_);
      if (!stopping_) cancel_running_.store(false);
    }
    job.result = std::move(result);
    {
      absl::MutexLock lock(&mu_);
      unacknowledged_ = job;
    }
    v1::AgentMessage message;
    *message.mutable_result() = *job.result;
    healthy = stream_ok &&
              session.SendSamples(job.samples, sent, job.samples.size(),
                                  options_.samples_per_batch) &&
              session.Write(message) && session.AwaitResultAck(lease->job_id());
    if (healthy) {
      absl::MutexLock lock(&mu_);
      unacknowledged_.reset();
    }
  }

  context.TryCancel();
  reader.join();
  heartbeat.join();
  grpc::Status status = stream->Finish();
  clear_context();
  return status.ok() ? absl::UnavailableError("coordinator closed the stream")
                     : FromGrpcStatus(status);
}

}  // namespace benchfleet::agent
