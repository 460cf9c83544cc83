#include "agent/hw/parallel.h"

#include <sched.h>

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace benchfleet::hw {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins on `done` with a pause; yields now and then so an oversubscribed
// machine still makes progress.
template <typename Done>
void SpinUntil(Done done) {
  for (int spins = 0; !done(); ++spins) {
    if (spins % 4096 == 4095) {
      std::this_thread::yield();
    } else {
      CpuRelax();
    }
  }
}

// How long an idle worker spins for the next Run() before sleeping: short
// gaps between measurements (STREAM's kernels) then cost no wake-up.
constexpr auto kIdleSpin = std::chrono::milliseconds(2);

}  // namespace

ThreadTeam::ThreadTeam(int threads)
    : threads_(std::max(1, threads)), start_(threads_), end_(threads_) {
  workers_.reserve(threads_ - 1);
  for (int i = 1; i < threads_; ++i)
    workers_.emplace_back([this, i] { Worker(i); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadTeam::Member(int i) {
  arrived_.fetch_add(1, std::memory_order_acq_rel);
  SpinUntil(
      [&] { return arrived_.load(std::memory_order_acquire) >= threads_; });
  start_[i] = Clock::now();
  (*body_)(i);
  end_[i] = Clock::now();
  finished_.fetch_add(1, std::memory_order_acq_rel);
}

void ThreadTeam::Worker(int i) {
  uint64_t seen = 0;
  while (true) {
    const auto idle_since = Clock::now();
    SpinUntil([&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stop_.load() || Clock::now() - idle_since > kIdleSpin;
    });
    if (generation_.load(std::memory_order_acquire) == seen && !stop_.load()) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] {
        return generation_.load(std::memory_order_acquire) != seen ||
               stop_.load();
      });
    }
    if (stop_.load()) return;
    seen = generation_.load(std::memory_order_acquire);
    Member(i);
  }
}

double ThreadTeam::Run(const std::function<void(int)>& body) {
  body_ = &body;
  arrived_.store(0);
  finished_.store(0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  wake_.notify_all();
  Member(0);
  SpinUntil(
      [&] { return finished_.load(std::memory_order_acquire) >= threads_; });
  const Clock::time_point first =
      *std::min_element(start_.begin(), start_.end());
  const Clock::time_point last = *std::max_element(end_.begin(), end_.end());
  return std::chrono::duration<double>(last - first).count();
}

double RunTimedOnThreads(int threads, const std::function<void(int)>& body) {
  ThreadTeam team(threads);
  return team.Run(body);
}

int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

void SplitRange(int64_t n, int parts, int i, int64_t align, int64_t* begin,
                int64_t* end) {
  parts = std::max(1, parts);
  align = std::max<int64_t>(1, align);
  auto boundary = [&](int k) {
    if (k >= parts) return n;
    const int64_t raw = n * k / parts;
    return std::min(n, raw / align * align);
  };
  *begin = boundary(i);
  *end = boundary(i + 1);
}

}  // namespace benchfleet::hw
