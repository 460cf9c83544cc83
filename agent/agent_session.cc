#include "agent/agent_session.h"

#include <algorithm>
#include <iostream>

namespace benchfleet::agent {

AgentSession::AgentSession(Client client, grpc::ClientContext* context,
                           Stream* stream, absl::Duration heartbeat)
    : client_(client),
      context_(context),
      stream_(stream),
      heartbeat_(heartbeat) {}

bool AgentSession::Write(const v1::AgentMessage& message) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (closed_) return false;
  return stream_->Write(message);
}

void AgentSession::Poke() { absl::MutexLock lock(&mu_); }

void AgentSession::ReadLoop() {
  v1::CoordinatorMessage message;
  while (stream_->Read(&message)) {
    absl::MutexLock lock(&mu_);
    if (message.has_lease()) {
      leases_.push_back(message.lease());
    } else if (message.has_cancel()) {
      if (message.cancel().job_id() == client_.running_job.load())
        client_.cancel_running.store(true);
    } else if (message.has_ack() && message.ack().result_stored()) {
      acked_results_.insert({message.ack().job_id(), message.ack().attempt()});
      acked_jobs_.insert(message.ack().job_id());
    } else if (message.has_ack()) {
      auto it = batch_sent_.find(
          {message.ack().job_id(), message.ack().samples_through()});
      if (it != batch_sent_.end()) {
        if (client_.on_sample_ack)
          client_.on_sample_ack(absl::Now() - it->second);
        batch_sent_.erase(it);
      }
    }
  }
  absl::MutexLock lock(&mu_);
  ended_ = true;
}

void AgentSession::HeartbeatLoop() {
  absl::MutexLock lock(&mu_);
  absl::Time next_beat = absl::Now() + heartbeat_;
  std::optional<absl::Time> cancel_at;
  while (!ended_) {
    auto wake = [this, &cancel_at]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return ended_ || (!cancel_at && client_.stop_now.load());
    };
    mu_.AwaitWithDeadline(
        absl::Condition(&wake),
        cancel_at ? std::min(next_beat, *cancel_at) : next_beat);
    if (ended_) break;
    const absl::Time now = absl::Now();
    if (!cancel_at && client_.stop_now.load())
      cancel_at = now + 2 * client_.goodbye_linger;
    if (cancel_at && now >= *cancel_at) {
      context_->TryCancel();
      cancel_at = absl::InfiniteFuture();
    }
    if (now >= next_beat) {
      v1::AgentMessage beat;
      beat.mutable_heartbeat()->set_running_job_id(running_job_);
      mu_.Unlock();
      Write(beat);
      mu_.Lock();
      next_beat = absl::Now() + heartbeat_;
    }
  }
}

std::optional<v1::Lease> AgentSession::NextLease() {
  absl::MutexLock lock(&mu_);
  while (true) {
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
      return ended_ || !leases_.empty() || client_.stop_now.load() ||
             client_.drain_now.load();
    };
    mu_.Await(absl::Condition(&ready));
    if (ended_ || client_.stop_now.load() || client_.drain_now.load())
      return std::nullopt;
    v1::Lease lease = std::move(leases_.front());
    leases_.pop_front();
    if (acked_jobs_.count(lease.job_id())) {
      std::cerr << "agent: skipping lease of job " << lease.job_id()
                << " attempt " << lease.attempt()
                << ": its result is already stored\n";
      continue;
    }
    return lease;
  }
}

bool AgentSession::AwaitResultAck(int64_t job_id, int32_t attempt) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
    return ended_ || client_.stop_now.load() ||
           acked_results_.count({job_id, attempt}) > 0;
  };
  mu_.Await(absl::Condition(&ready));
  return acked_results_.count({job_id, attempt}) > 0;
}

bool AgentSession::Acked(int64_t job_id, int32_t attempt) {
  absl::MutexLock lock(&mu_);
  return acked_results_.count({job_id, attempt}) > 0;
}

void AgentSession::SetRunning(int64_t job_id) {
  absl::MutexLock lock(&mu_);
  running_job_ = job_id;
}

bool AgentSession::ended() {
  absl::MutexLock lock(&mu_);
  return ended_;
}

bool AgentSession::AwaitEnded(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&ended_), timeout);
}

bool AgentSession::SendSamples(const Samples& samples, int from, int to,
                               int per_batch) {
  while (from < to) {
    v1::AgentMessage message;
    const int end = std::min(to, from + per_batch);
    for (int i = from; i < end; ++i)
      *message.mutable_samples()->add_samples() = samples[i];
    if (client_.on_sample_ack) {
      absl::MutexLock lock(&mu_);
      batch_sent_[{samples[end - 1].job_id(),
                   samples[end - 1].sequence() + 1}] = absl::Now();
    }
    if (!Write(message)) return false;
    from = end;
  }
  return true;
}

void AgentSession::SayGoodbye(const std::string& reason,
                              absl::Duration linger) {
  v1::AgentMessage goodbye;
  goodbye.mutable_goodbye()->set_reason(reason);
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!closed_) {
      stream_->Write(goodbye);
      stream_->WritesDone();
      closed_ = true;
    }
  }
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&ended_), linger);
}

}  // namespace benchfleet::agent
