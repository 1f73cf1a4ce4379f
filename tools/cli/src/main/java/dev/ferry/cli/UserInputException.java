package dev.ferry.cli;

/** Input the user must fix; the message says what was wrong and what to do. Exits with code 2 (refused). */
public final class UserInputException extends Exception {

    public UserInputException(String message) {
        super(message);
    }
}
