package org.supcon.trainer.settings;

/** A run's settings were refused; {@link #field()} names the JSON field at fault (400 over REST). */
public final class InvalidSettingsException extends IllegalArgumentException {

    private final String field;

    public InvalidSettingsException(String field, String problem) {
        super(field == null ? problem : field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
