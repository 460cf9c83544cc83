#include "agent/agent_client.h"

#include <algorithm>
#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/agent_session.h"
#include "agent/hw/build_info.h"
#include "base/grpc_status.h"

namespace benchfleet::agent {

AgentClient::AgentClient(AgentClientOptions options,
                         v1::HardwareReport hardware, JobExecutor* executor)
    : options_(std::move(options)),
      hardware_(std::move(hardware)),
      executor_(executor),
      channel_(options_.channel
                   ? options_.channel
                   : grpc::CreateChannel(options_.coordinator,
                                         grpc::InsecureChannelCredentials())),
      stub_(v1::AgentService::NewStub(channel_)) {}

void AgentClient::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  stop_now_.store(true);
  cancel_running_.store(true);
  if (session_) {
    session_->Poke();  // it says goodbye, handing back a running job
  } else if (context_) {
    context_->TryCancel();  // still connecting
  }
}

bool AgentClient::Drain(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    const int64_t running = running_job_.load();
    std::cerr << "agent: draining: taking no new job"
              << (running ? absl::StrCat("; finishing job ", running) : "")
              << (unacknowledged_.empty()
                      ? ""
                      : absl::StrCat("; delivering ", unacknowledged_.size(),
                                     " unacknowledged result(s)"))
              << " within " << grace << "\n";
    draining_ = true;
    drain_now_.store(true);
    if (session_) session_->Poke();
    if (mu_.AwaitWithTimeout(absl::Condition(&run_ended_), grace)) return true;
  }
  std::cerr << "agent: drain period of " << grace
            << " is over; handing back the running job\n";
  Stop();
  return false;
}

void AgentClient::LoadSpool() {
  if (!options_.spool) return;
  std::vector<std::string> warnings;
  absl::StatusOr<std::vector<v1::SpooledJob>> jobs =
      options_.spool->Load(&warnings);
  for (const std::string& warning : warnings)
    std::cerr << "agent: " << warning << "\n";
  if (!jobs.ok()) {
    std::cerr << "agent: cannot read the spool: " << jobs.status() << "\n";
    return;
  }
  absl::MutexLock lock(&mu_);
  for (v1::SpooledJob& job : *jobs) {
    if (job.agent_id() != options_.agent_id) {
      std::cerr << "agent: spool file "
                << options_.spool->PathOf(job.lease().job_id(),
                                          job.lease().attempt())
                << " belongs to agent \"" << job.agent_id()
                << "\", not to this one; leaving it alone\n";
      continue;
    }
    std::cerr << "agent: spooled result of job " << job.lease().job_id()
              << " attempt " << job.lease().attempt()
              << " is unacknowledged; replaying it after connecting\n";
    unacknowledged_.push_back(std::move(job));
  }
}

void AgentClient::Hold(const v1::SpooledJob& job) {
  if (options_.spool) {
    absl::Status saved = options_.spool->Save(job);
    if (saved.ok()) {
      std::cerr << "agent: spooled job " << job.lease().job_id() << " attempt "
                << job.lease().attempt() << " to "
                << options_.spool->PathOf(job.lease().job_id(),
                                          job.lease().attempt())
                << "\n";
    } else {
      std::cerr << "agent: cannot spool job " << job.lease().job_id()
                << "; keeping it in memory only: " << saved << "\n";
    }
  }
  absl::MutexLock lock(&mu_);
  unacknowledged_.push_back(job);
}

void AgentClient::Acknowledged(int64_t job_id, int32_t attempt) {
  std::cerr << "agent: result acknowledged: job " << job_id << " attempt "
            << attempt << "\n";
  if (options_.spool) {
    absl::Status removed = options_.spool->Remove(job_id, attempt);
    if (!removed.ok())
      std::cerr << "agent: " << removed << " (a replay of it is stored once)\n";
  }
  absl::MutexLock lock(&mu_);
  unacknowledged_.erase(
      std::remove_if(unacknowledged_.begin(), unacknowledged_.end(),
                     [&](const v1::SpooledJob& job) {
                       return job.lease().job_id() == job_id &&
                              job.lease().attempt() == attempt;
                     }),
      unacknowledged_.end());
  if (delivering_ == std::make_pair(job_id, attempt)) delivering_.reset();
}

void AgentClient::Reject(int64_t job_id, int32_t attempt,
                         const absl::Status& why) {
  std::cerr << "agent: the coordinator refused the result of job " << job_id
            << " attempt " << attempt << " for good (" << why
            << "); setting it aside";
  if (options_.spool) {
    std::cerr << " as " << options_.spool->PathOf(job_id, attempt)
              << ".rejected";
    options_.spool->Reject(job_id, attempt).IgnoreError();
  }
  std::cerr << "\n";
  absl::MutexLock lock(&mu_);
  unacknowledged_.erase(
      std::remove_if(unacknowledged_.begin(), unacknowledged_.end(),
                     [&](const v1::SpooledJob& job) {
                       return job.lease().job_id() == job_id &&
                              job.lease().attempt() == attempt;
                     }),
      unacknowledged_.end());
}

absl::Status AgentClient::Run() {
  LoadSpool();
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  absl::Status last = absl::OkStatus();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (Finished()) break;
    }
    std::optional<absl::Time> welcomed;
    last = RunSession(&welcomed);
    std::optional<std::pair<int64_t, int32_t>> refused;
    {
      absl::MutexLock lock(&mu_);
      // Replaying a result the coordinator can never accept (not this
      // agent's lease, or malformed) would fail forever: set it aside.
      if (delivering_ && (last.code() == absl::StatusCode::kPermissionDenied ||
                          last.code() == absl::StatusCode::kInvalidArgument))
        refused = delivering_;
      delivering_.reset();
    }
    if (refused) Reject(refused->first, refused->second, last);
    {
      absl::MutexLock lock(&mu_);
      if (Finished()) break;
    }
    // A session that lasted a while was healthy: start backing off afresh.
    if (welcomed && absl::Now() - *welcomed > options_.max_backoff)
      backoff = options_.initial_backoff;
    // Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
    // sleep uniformly in [0, backoff] so a restarted coordinator is not hit
    // by every agent at once.
    const absl::Duration sleep =
        absl::Nanoseconds(std::uniform_int_distribution<int64_t>(
            0, absl::ToInt64Nanoseconds(backoff))(rng));
    std::cerr << "agent: connection ended (" << last << "); retrying in "
              << sleep << "\n";
    absl::MutexLock lock(&mu_);
    auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return Finished();
    };
    mu_.AwaitWithTimeout(absl::Condition(&finished), sleep);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  absl::MutexLock lock(&mu_);
  run_ended_ = true;
  return last;
}

bool AgentClient::Dial() {
  // gRPC keeps its own reconnection backoff (growing to 120 s) under ours,
  // and a channel that failed to connect fails calls at once until it has
  // reconnected by that schedule: a restarted coordinator would wait minutes
  // for its agents. So each attempt of ours dials afresh and waits for it.
  grpc::experimental::ChannelResetConnectionBackoff(channel_.get());
  const absl::Time deadline = absl::Now() + options_.connect_timeout;
  while (true) {
    const grpc_connectivity_state state =
        channel_->GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_READY) return true;
    {
      absl::MutexLock lock(&mu_);
      if (Finished()) return false;
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) return false;
    channel_->WaitForStateChange(
        state,
        absl::ToChronoTime(std::min(deadline, now + absl::Milliseconds(200))));
  }
}

absl::Status AgentClient::RunSession(std::optional<absl::Time>* welcomed) {
  // Not connected within the timeout: the call below fails at once, with
  // gRPC's account of why (refused, TLS handshake, ...).
  Dial();
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (Finished()) return absl::CancelledError("stopping");
    context_ = &context;
  }
  auto clear_context = [this] {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    session_ = nullptr;
  };
  std::unique_ptr<AgentSession::Stream> stream = stub_->Connect(&context);

  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(options_.agent_id);
  *hello.mutable_hello()->mutable_hardware() = hardware_;
  hello.mutable_hello()->set_agent_version(hw::kAgentVersion);
  hello.mutable_hello()->mutable_labels()->insert(options_.labels.begin(),
                                                  options_.labels.end());
  for (v1::DeviceKind device : options_.devices)
    hello.mutable_hello()->add_devices(device);
  for (v1::Precision precision : options_.precisions)
    hello.mutable_hello()->add_precisions(precision);
  v1::CoordinatorMessage welcome;
  if (!stream->Write(hello) || !stream->Read(&welcome) ||
      !welcome.has_welcome()) {
    grpc::Status status = stream->Finish();
    clear_context();
    return status.ok() ? absl::UnavailableError("no welcome from coordinator")
                       : FromGrpcStatus(status);
  }
  std::cerr << "agent: connected to " << options_.coordinator << " as "
            << options_.agent_id << "\n";
  *welcomed = absl::Now();

  AgentSession session({stop_now_, drain_now_, running_job_, cancel_running_,
                        options_.on_sample_ack, options_.goodbye_linger},
                       &context, stream.get(),
                       absl::Milliseconds(std::max(
                           100, welcome.welcome().heartbeat_interval_ms())));
  {
    absl::MutexLock lock(&mu_);
    session_ = &session;
  }
  std::thread reader([&] { session.ReadLoop(); });
  std::thread heartbeat([&] { session.HeartbeatLoop(); });

  // Sends the rest of `job` (samples from `from` on, then the result) and
  // waits for the acknowledgement of the result.
  auto deliver = [&](const v1::SpooledJob& job, int from) {
    {
      absl::MutexLock lock(&mu_);
      delivering_ = std::make_pair(job.lease().job_id(), job.lease().attempt());
    }
    v1::AgentMessage result;
    *result.mutable_result() = job.result();
    if (session.SendSamples(job.samples(), from, job.samples_size(),
                            options_.samples_per_batch) &&
        session.Write(result) &&
        session.AwaitResultAck(job.lease().job_id(), job.lease().attempt())) {
      Acknowledged(job.lease().job_id(), job.lease().attempt());
      return true;
    }
    return false;
  };

  // Finished jobs from earlier sessions (or an earlier run) go first.
  bool healthy = true;
  std::deque<v1::SpooledJob> replay;
  {
    absl::MutexLock lock(&mu_);
    replay = unacknowledged_;
  }
  for (const v1::SpooledJob& job : replay) {
    std::cerr << "agent: replaying job " << job.lease().job_id() << " attempt "
              << job.lease().attempt() << " (" << job.samples_size()
              << " samples and the result)\n";
    healthy = deliver(job, 0);
    if (!healthy) break;
  }

  std::string goodbye;  // set when the agent ends the session on purpose
  while (healthy) {
    if (stop_now_.load() || drain_now_.load()) break;
    std::optional<v1::Lease> lease = session.NextLease();
    if (!lease) break;
    v1::SpooledJob job;
    *job.mutable_lease() = *lease;
    job.set_agent_id(options_.agent_id);
    session.SetRunning(lease->job_id());
    running_job_.store(lease->job_id());
    int sent = 0;
    absl::Time last_flush = absl::Now();
    bool stream_ok = true;
    v1::JobResult result = executor_->Execute(
        *lease,
        [&](const v1::Sample& s) {
          *job.add_samples() = s;
          if (!stream_ok) return;
          if (job.samples_size() - sent >= options_.samples_per_batch ||
              absl::Now() - last_flush >= options_.flush_interval) {
            stream_ok =
                session.SendSamples(job.samples(), sent, job.samples_size(),
                                    options_.samples_per_batch);
            sent = job.samples_size();
            last_flush = absl::Now();
          }
        },
        cancel_running_);
    session.SetRunning(0);
    running_job_.store(0);
    if (stop_now_.load() && result.status() != v1::JOB_STATUS_OK) {
      // Abandoned by Stop(): not a result. The Goodbye hands it back.
      goodbye = absl::StrCat("stopped; handing back job ", lease->job_id(),
                             " attempt ", lease->attempt());
      std::cerr << "agent: handing back job " << lease->job_id() << " attempt "
                << lease->attempt() << "\n";
      break;
    }
    {
      // Stop() wins over a Cancel from the coordinator: keep the flag then.
      absl::MutexLock lock(&mu_);
      if (!stopping_) cancel_running_.store(false);
    }
    *job.mutable_result() = std::move(result);
    job.set_spooled_unix_ms(absl::ToUnixMillis(absl::Now()));
    // Durable before the result leaves: an acknowledged result is stored at
    // the coordinator, an unacknowledged one is in the spool.
    Hold(job);
    healthy = stream_ok && deliver(job, sent);
  }

  if (!session.ended() && (stop_now_.load() || drain_now_.load())) {
    if (goodbye.empty()) goodbye = stop_now_.load() ? "stopped" : "drained";
    std::cerr << "agent: saying goodbye (" << goodbye << ")\n";
    session.SayGoodbye(goodbye, options_.goodbye_linger);
  } else {
    goodbye.clear();
  }
  // Acks that arrived while the session wound down still count.
  {
    std::deque<v1::SpooledJob> pending;
    {
      absl::MutexLock lock(&mu_);
      pending = unacknowledged_;
    }
    for (const v1::SpooledJob& job : pending)
      if (session.Acked(job.lease().job_id(), job.lease().attempt()))
        Acknowledged(job.lease().job_id(), job.lease().attempt());
  }
  // A failed write means the stream is breaking: give the reader a moment
  // to see why, so the status below names the cause rather than our cancel.
  if (!healthy && goodbye.empty()) session.AwaitEnded(absl::Milliseconds(500));
  if (!session.ended()) context.TryCancel();
  reader.join();
  heartbeat.join();
  grpc::Status status = stream->Finish();
  clear_context();
  if (!goodbye.empty()) return absl::OkStatus();
  return status.ok() ? absl::UnavailableError("coordinator closed the stream")
                     : FromGrpcStatus(status);
}

}  // namespace benchfleet::agent
