package dev.simdnet.track;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code status.json} of a run: what state it is in, and which process is writing it.
 *
 * @param state     running, finished, failed, interrupted (Ctrl-C) or pruned (stopped early by a sweep)
 * @param pid       the writing process
 * @param pidStart  when that process started (tells a live pid from a reused one); null if unknown
 * @param started   when the run began
 * @param heartbeat the last sign of life of a running run
 * @param ended     when the run ended (null while running)
 * @param message   why it failed, was interrupted or pruned (null otherwise)
 */
public record RunStatus(String state, long pid, String pidStart, Instant started, Instant heartbeat, Instant ended, String message) {

    public static final String RUNNING = "running", FINISHED = "finished", FAILED = "failed", INTERRUPTED = "interrupted",
            PRUNED = "pruned", KILLED = "killed";

    public RunStatus {
        if (state == null || !java.util.List.of(RUNNING, FINISHED, FAILED, INTERRUPTED, PRUNED).contains(state))
            throw new IllegalArgumentException("unknown run state '" + state + "'");
        if (started == null) throw new IllegalArgumentException("a run status needs its start time");
    }

    /** A run starting now in this process. */
    public static RunStatus running(Instant now) {
        ProcessHandle self = ProcessHandle.current();
        return new RunStatus(RUNNING, self.pid(), startOf(self), now, now, null, null);
    }

    public RunStatus beat(Instant now) { return new RunStatus(state, pid, pidStart, started, now, ended, message); }

    public RunStatus end(String newState, Instant now, String why) { return new RunStatus(newState, pid, pidStart, started, now, now, why); }

    /**
     * The state to show: a run still marked running whose process is gone (or whose pid now belongs to another
     * process) was killed, and is shown as such, never as running or finished.
     */
    public String effectiveState() {
        if (!state.equals(RUNNING)) return state;
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) return KILLED;
        String now = startOf(p.get());
        if (pidStart != null && now != null && !pidStart.equals(now)) return KILLED;
        return RUNNING;
    }

    private static String startOf(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toString).orElse(null);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("pid", pid);
        m.put("pid_start", pidStart);
        m.put("started", started.toString());
        m.put("heartbeat", heartbeat == null ? null : heartbeat.toString());
        m.put("ended", ended == null ? null : ended.toString());
        m.put("message", message);
        return m;
    }

    public static RunStatus fromMap(Map<String, Object> m) {
        try {
            return new RunStatus((String) m.get("state"), ((Number) m.get("pid")).longValue(), (String) m.get("pid_start"),
                    instant(m.get("started")), instant(m.get("heartbeat")), instant(m.get("ended")), (String) m.get("message"));
        } catch (ClassCastException | NullPointerException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("malformed run status " + m);
        }
    }

    private static Instant instant(Object o) { return o == null ? null : parseInstant((String) o); }

    /**
     * {@link Instant#parse} for the form {@link Instant#toString} writes ({@code 2026-01-02T03:04:05.123456789Z}),
     * read field by field: listing 1,000 runs parses 3,000 of them, and the general parser costs a tenth of
     * that listing in a fresh JVM. Anything else goes to {@link Instant#parse}.
     */
    static Instant parseInstant(String s) {
        int n = s.length();
        if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
                && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z' && (n == 20 || s.charAt(19) == '.')) {
            try {
                int nanos = 0;
                if (n > 20) {
                    String f = s.substring(20, n - 1);
                    if (f.isEmpty() || f.length() > 9) return Instant.parse(s);
                    nanos = Integer.parseInt(f) * (int) Math.pow(10, 9 - f.length());
                }
                long days = java.time.LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5, 7)),
                        Integer.parseInt(s.substring(8, 10))).toEpochDay();
                long secs = days * 86400 + Integer.parseInt(s.substring(11, 13)) * 3600L + Integer.parseInt(s.substring(14, 16)) * 60L
                        + Integer.parseInt(s.substring(17, 19));
                return Instant.ofEpochSecond(secs, nanos);
            } catch (NumberFormatException | java.time.DateTimeException e) {
                return Instant.parse(s);
            }
        }
        return Instant.parse(s);
    }
}
