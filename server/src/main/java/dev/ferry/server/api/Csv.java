package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 4180 reader and writer. Fields are separated by commas and records by CRLF or LF; a field that holds
 * a comma, quote or line break is enclosed in double quotes, with quotes inside doubled. Anything else with a quote
 * in it (a stray quote inside an unquoted field, text after a closing quote, a quote never closed) is refused with
 * its line number rather than guessed at. A leading UTF-8 byte order mark (as spreadsheets write) is skipped.
 */
final class Csv {
    /** One record and the line it starts on (1-based). */
    record Record(int line, List<String> fields) {
    }

    private Csv() {
    }

    /** The records of a CSV text; a final line break does not start an empty record. */
    static List<Record> parse(String text) {
        List<Record> records = new ArrayList<>();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        int n = text.length();
        while (i < n) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean endOfRecord = false;
            while (!endOfRecord) {
                if (i < n && text.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw ApiProblem.badRequest("CSV line " + start + ": a quoted field is not closed; end"
                                    + " it with a double quote (a quote inside a quoted field is written twice: \"\")");
                        }
                        char c = text.charAt(i++);
                        if (c == '"') {
                            if (i < n && text.charAt(i) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            if (c == '\n') {
                                line++;
                            }
                            field.append(c);
                        }
                    }
                    if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\r' && text.charAt(i) != '\n') {
                        throw ApiProblem.badRequest("CSV line " + line + ": text after the closing quote of a field;"
                                + " a quoted field must end at a comma or the end of the line");
                    }
                } else {
                    while (i < n && text.charAt(i) != ',' && text.charAt(i) != '\r' && text.charAt(i) != '\n') {
                        if (text.charAt(i) == '"') {
                            throw ApiProblem.badRequest("CSV line " + line + ": a quote inside an unquoted field;"
                                    + " enclose the whole field in double quotes and write the quote twice");
                        }
                        field.append(text.charAt(i++));
                    }
                }
                fields.add(field.toString());
                field.setLength(0);
                if (i >= n) {
                    endOfRecord = true;
                } else if (text.charAt(i) == ',') {
                    i++;
                } else {
                    if (text.charAt(i) == '\r') {
                        i++;
                        if (i >= n || text.charAt(i) != '\n') {
                            throw ApiProblem.badRequest("CSV line " + line + ": a carriage return without a line"
                                    + " feed; end lines with CRLF or LF");
                        }
                    }
                    i++;
                    line++;
                    endOfRecord = true;
                }
            }
            records.add(new Record(start, List.copyOf(fields)));
        }
        return records;
    }

    /** One record, with CRLF, quoting the fields that need it. */
    static String line(List<String> fields) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            String value = fields.get(i) == null ? "" : fields.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\r') >= 0
                    || value.indexOf('\n') >= 0) {
                out.append('"').append(value.replace("\"", "\"\"")).append('"');
            } else {
                out.append(value);
            }
        }
        return out.append("\r\n").toString();
    }
}
