package dev.ferry.server.device;

import java.util.List;

/** A bulk request had bad rows, so nothing was provisioned; {@link #errors()} names every one. */
public class BulkRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<RowError> errors;

    public BulkRejectedException(List<RowError> errors) {
        super(errors.size() + (errors.size() == 1 ? " row is" : " rows are")
                + " not acceptable; nothing was provisioned. Fix the rows listed in 'errors' and send the whole list"
                + " again");
        this.errors = List.copyOf(errors);
    }

    public List<RowError> errors() {
        return errors;
    }
}
