# toasoan in a container: a static binary (pure-Go SQLite, no cgo) on an empty base,
# running as a non-root user, with the data directory as a volume.
#   docker build -t toasoan .
#   docker run -d -p 8080:8080 -v toasoan-data:/data -v toasoan-backups:/backups toasoan
# Back up from outside:  docker exec CONTAINER /toasoan backup -data /data /backups/manual.db

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/toasoan . \
 && mkdir -p /out/data /out/backups

FROM scratch
# CA roots for any outgoing HTTPS; the time zone is embedded in the binary (time/tzdata).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/toasoan /toasoan
# Empty directories owned by the unprivileged user, so fresh volumes inherit the owner.
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/backups /backups
USER 65532:65532
VOLUME ["/data", "/backups"]
EXPOSE 8080
ENV TOASOAN_ADDR=:8080 TOASOAN_DATA=/data TOASOAN_BACKUP_DIR=/backups TOASOAN_LOG_FORMAT=json
ENTRYPOINT ["/toasoan"]
CMD ["serve"]
