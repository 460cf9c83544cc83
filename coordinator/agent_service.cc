#include "coordinator/agent_service.h"

#include <iostream>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "base/grpc_status.h"
#include "coordinator/message_check.h"
#include "coordinator/result_summary.h"

namespace benchfleet::coordinator {

AgentServiceImpl::AgentServiceImpl(Store* store, Scheduler* scheduler,
                                   Clock* clock, AgentServiceOptions options)
    : store_(store), scheduler_(scheduler), clock_(clock), options_(options) {
  watchdog_ = std::thread([this] { Watchdog(); });
}

AgentServiceImpl::~AgentServiceImpl() { Shutdown(); }

void AgentServiceImpl::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  watchdog_.join();
}

void AgentServiceImpl::Watchdog() {
  const absl::Duration tick =
      std::min(absl::Seconds(1), options_.lease_ttl / 4);
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick)) {
    const absl::Time now = clock_->Now();
    for (auto& [context, live] : live_) {
      if (now - live.last_heard > options_.lease_ttl && !live.cancelled) {
        // Read() in the session's handler fails; it then releases the lease.
        std::cerr << "coordinator: agent " << live.agent_id << " silent for "
                  << (now - live.last_heard) << " (lease TTL "
                  << options_.lease_ttl << "); ending its session\n";
        live.cancelled = true;
        context->TryCancel();
      }
    }
  }
}

void AgentServiceImpl::Heard(grpc::ServerContext* context) {
  absl::MutexLock lock(&mu_);
  auto it = live_.find(context);
  if (it != live_.end()) it->second.last_heard = clock_->Now();
}

grpc::Status AgentServiceImpl::Connect(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>* stream) {
  Principal principal;
  if (grpc::Status auth = Authorize(*context, options_.tokens, Role::kAgent, &principal);
      !auth.ok())
    return auth;
  v1::AgentMessage message;
  if (!stream->Read(&message)) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "stream ended before hello");
  }
  if (!message.has_hello()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message must be a hello");
  }
  if (absl::Status ok = CheckHello(message.hello()); !ok.ok())
    return ToGrpcStatus(ok);
  const v1::Hello hello = message.hello();
  const std::string& agent_id = hello.agent_id();
  // An agent token speaks for the agent ids its name matches, and no other:
  // results are accepted only for that agent's own leases.
  if (options_.tokens && !AgentIdAllowed(principal.name, agent_id))
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("token \"", principal.name,
                                     "\" may not act as agent \"", agent_id, "\""));
  const v1::HardwareReport& hardware = hello.hardware();
  if (absl::Status ok = store_->UpsertAgent(hello, clock_->Now()); !ok.ok())
    return ToGrpcStatus(ok);

  {
    absl::MutexLock lock(&mu_);
    live_[context] = {context, clock_->Now(), agent_id};
  }
  std::shared_ptr<Scheduler::Session> session = scheduler_->Open(hello);
  std::mutex write_mu;  // gRPC allows one outstanding Write per stream
  auto write = [&](const v1::CoordinatorMessage& out) {
    std::lock_guard<std::mutex> lock(write_mu);
    return stream->Write(out);
  };

  v1::CoordinatorMessage welcome;
  welcome.mutable_welcome()->set_agent_id(agent_id);
  welcome.mutable_welcome()->set_heartbeat_interval_ms(
      static_cast<int32_t>(absl::ToInt64Milliseconds(options_.heartbeat_interval)));
  write(welcome);

  std::thread dispatcher([&] {
    while (std::optional<v1::CoordinatorMessage> out =
               scheduler_->NextMessage(session.get())) {
      if (!write(*out)) break;
    }
  });

  grpc::Status ending = grpc::Status::OK;
  std::string reason = "disconnected";
  bool said_goodbye = false;
  // Says why ingest stopped: the error, what was refused, and that nothing
  // of it was acknowledged (the agent replays it after reconnecting).
  auto ingest_paused = [&](absl::string_view what, const absl::Status& error) {
    std::cerr << "coordinator: ingest paused for agent " << agent_id
              << ": cannot store " << what << ": " << error
              << "; nothing of it was acknowledged, the agent replays it "
                 "after reconnecting\n";
    return ToGrpcStatus(error);
  };
  while (ending.ok() && !said_goodbye && stream->Read(&message)) {
    Heard(context);
    switch (message.kind_case()) {
      case v1::AgentMessage::kHeartbeat:
        break;
      case v1::AgentMessage::kSamples: {
        const v1::SampleBatch& batch = message.samples();
        absl::Status ok = CheckSamples(batch, options_.max_samples_per_batch);
        if (!ok.ok()) { ending = ToGrpcStatus(ok); break; }
        if (batch.samples().empty()) break;
        std::vector<v1::Sample> samples(batch.samples().begin(),
                                        batch.samples().end());
        // On error nothing is stored or acknowledged; the stream ends and the
        // agent replays after reconnecting (UNAVAILABLE: busy or full disk).
        ok = store_->AddSamples(agent_id, samples);
        if (!ok.ok()) {
          ending = ingest_paused(
              absl::StrCat(samples.size(), " samples of job ",
                           samples.front().job_id(), " attempt ",
                           samples.front().attempt()),
              ok);
          break;
        }
        v1::CoordinatorMessage ack;
        ack.mutable_ack()->set_job_id(samples.back().job_id());
        ack.mutable_ack()->set_attempt(samples.back().attempt());
        ack.mutable_ack()->set_samples_through(samples.back().sequence() + 1);
        write(ack);
        break;
      }
      case v1::AgentMessage::kResult: {
        v1::JobResult result = message.result();
        absl::Status ok = CheckResult(result);
        if (!ok.ok()) { ending = ToGrpcStatus(ok); break; }
        if (result.status() == v1::JOB_STATUS_OK) {
          // The stored figures are the coordinator's, from the samples of
          // this very attempt (all read before this result on the stream).
          absl::StatusOr<std::vector<v1::Sample>> samples =
              store_->AttemptSamples(agent_id, result.job_id(), result.attempt());
          if (!samples.ok()) {
            ending = samples.status().code() == absl::StatusCode::kUnavailable
                         ? ingest_paused(absl::StrCat("the result of job ",
                                                      result.job_id(), " attempt ",
                                                      result.attempt()),
                                         samples.status())
                         : ToGrpcStatus(samples.status());
            break;
          }
          const int warnings_before = result.warnings_size();
          ok = RecomputeSummary(*samples, result);
          if (!ok.ok()) {
            // The agent sets a refused result aside; the attempt counts as
            // lost, so the job is leased again and fails after the last
            // attempt, with this reason among those of every attempt.
            std::cerr << "coordinator: refused the result of job "
                      << result.job_id() << " attempt " << result.attempt()
                      << " from agent " << agent_id << ": " << ok << "\n";
            ending = ToGrpcStatus(ok);
            break;
          }
          if (result.warnings_size() > warnings_before)
            std::cerr << "coordinator: job " << result.job_id() << " attempt "
                      << result.attempt() << " from agent " << agent_id << ": "
                      << result.warnings_size() - warnings_before
                      << " figure(s) differ from its samples; storing the "
                         "coordinator's (first: "
                      << result.warnings(warnings_before) << ")\n";
        }
        // The coordinator, not the agent, vouches for who ran it.
        result.set_agent_id(agent_id);
        result.set_host_id(hardware.host_id());
        absl::StatusOr<bool> stored =
            store_->StoreResult(agent_id, result, clock_->Now());
        if (!stored.ok()) {
          ending = ingest_paused(absl::StrCat("the result of job ", result.job_id(),
                                              " attempt ", result.attempt()),
                                 stored.status());
          break;
        }
        scheduler_->JobEnded(session.get(), result.job_id());
        v1::CoordinatorMessage ack;
        ack.mutable_ack()->set_job_id(result.job_id());
        ack.mutable_ack()->set_attempt(result.attempt());
        ack.mutable_ack()->set_result_stored(true);
        write(ack);
        break;
      }
      case v1::AgentMessage::kGoodbye:
        // The agent is stopping on purpose; a job it still holds is handed
        // back, not lost.
        said_goodbye = true;
        reason = absl::StrCat("said goodbye (",
                              message.goodbye().reason().substr(0, 200), ")");
        break;
      default:
        ending = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "unexpected message after hello");
    }
  }
  if (!ending.ok()) {
    reason = absl::StrCat("session ended: ", ending.error_message());
    std::cerr << "coordinator: agent " << agent_id << ": " << reason << "\n";
  }
  if (said_goodbye) {
    const int64_t held = scheduler_->RunningJob(agent_id);
    std::cerr << "coordinator: agent " << agent_id << " " << reason
              << (held ? absl::StrCat("; job ", held, " goes back to the queue")
                       : std::string())
              << "\n";
    scheduler_->HandBack(session.get(), reason);
  } else {
    if (context->IsCancelled()) reason = "went silent (lease expired)";
    scheduler_->Close(session.get(), reason);
  }
  dispatcher.join();
  {
    absl::MutexLock lock(&mu_);
    live_.erase(context);
  }
  store_->TouchAgent(agent_id, clock_->Now()).IgnoreError();
  return ending;
}

}  // namespace benchfleet::coordinator
