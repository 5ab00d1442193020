#include <catch2/catch.hpp>

#include <signal.h>

#include "vmx-client/stop_signals.h"

using namespace std::chrono_literals;

TEST_CASE("stop signals: taken by wait(), not delivered; the mask is restored after") {
  sigset_t before;
  sigprocmask(SIG_SETMASK, nullptr, &before);
  struct sigaction pipeBefore {};
  sigaction(SIGPIPE, nullptr, &pipeBefore);
  {
    vmx::StopSignals signals;
    CHECK(signals.wait(10ms) == 0);
    // Blocked: raising them does not kill the test; wait() returns them.
    ::raise(SIGINT);
    CHECK(signals.wait(0ms) == SIGINT);
    ::raise(SIGTERM);
    CHECK(signals.wait(1000ms) == SIGTERM);
    ::raise(SIGHUP);
    CHECK(signals.wait(0ms) == SIGHUP);
    CHECK(signals.wait(0ms) == 0);
    // SIGPIPE is ignored while it lives.
    struct sigaction pipe {};
    sigaction(SIGPIPE, nullptr, &pipe);
    CHECK(pipe.sa_handler == SIG_IGN);
    // A signal left pending is dropped at the end instead of killing us.
    ::raise(SIGINT);
  }
  sigset_t after;
  sigprocmask(SIG_SETMASK, nullptr, &after);
  CHECK(sigismember(&after, SIGINT) == sigismember(&before, SIGINT));
  CHECK(sigismember(&after, SIGTERM) == sigismember(&before, SIGTERM));
  struct sigaction pipe {};
  sigaction(SIGPIPE, nullptr, &pipe);
  CHECK(pipe.sa_handler == pipeBefore.sa_handler);
}
