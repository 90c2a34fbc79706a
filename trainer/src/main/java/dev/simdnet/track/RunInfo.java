package dev.simdnet.track;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code runs list} needs of one run, read from its small files only (status, config, summary, tags, note).
 *
 * @param id      the run's folder name
 * @param dir     the run's folder
 * @param status  its status.json (null when unreadable)
 * @param state   the state to show ({@link RunStatus#effectiveState()}; "corrupt" when status.json is unreadable)
 * @param config  config.json: the resolved training config (empty if absent)
 * @param summary summary.json: the final figures (empty until the run ends)
 * @param tags    tags.json
 * @param note    note.txt ("" if none)
 */
public record RunInfo(String id, Path dir, RunStatus status, String state, Map<String, Object> config, Map<String, Object> summary,
                      Map<String, String> tags, String note) {

    /**
     * A field by name: "id", "state", "started", "note", a summary key, a config key, "tag.KEY", or with an
     * explicit prefix "summary.KEY" / "config.KEY". Null when the run has no such field.
     */
    public Object field(String name) {
        switch (name) {
            case "id": return id;
            case "state": case "status": return state;
            case "started": return status == null ? null : status.started().toString();
            case "note": return note;
            default: break;
        }
        if (name.startsWith("tag.")) return tags.get(name.substring(4));
        if (name.startsWith("summary.")) return summary.get(name.substring(8));
        if (name.startsWith("config.")) return config.get(name.substring(7));
        if (summary.containsKey(name)) return summary.get(name);
        return config.get(name);
    }
}
