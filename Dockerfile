# jupyters3: one static binary on an empty base image.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t jupyters3 .
#   docker run -p 8888:8888 -e JUPYTERS3_BUCKET=my-bucket -e AWS_REGION=eu-west-1 jupyters3

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/jupyters3 . \
 && mkdir -p /out/etc /out/home/nonroot /out/data \
 && echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > /out/etc/passwd \
 && echo 'nonroot:x:65532:' > /out/etc/group

FROM scratch
# S3 is reached over HTTPS, so the image needs the CA certificates.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build --chown=65532:65532 /out/home/nonroot /home/nonroot
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/jupyters3 /jupyters3
USER nonroot:nonroot
ENV HOME=/home/nonroot \
    JUPYTERS3_LISTEN=0.0.0.0:8888 \
    JUPYTERS3_ROOT_DIR=/data
WORKDIR /data
EXPOSE 8888
# The subcommand reads the same JUPYTERS3_LISTEN and base URL settings as
# the server, so it probes the right address without arguments.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/jupyters3", "healthcheck"]
ENTRYPOINT ["/jupyters3"]
