/** Environment variable carrying `maxMessageBytes` to a child process worker. */
export const MAX_BYTES_ENV = 'TROUPE_MAX_MESSAGE_BYTES';
